// Ikono Chat's web chat widget. A web page adds it with
//   <script src="https://HOST/widget.js" data-line="KEY" async></script>
// and optionally data-lang="en|es" (else the page's or the browser's language) and
// data-theme="light|dark" (else the visitor's system setting).
// It adds one launcher button, inside a shadow root so the page's styles cannot reach it, that
// opens the chat in an iframe served by HOST: the page's CSS and scripts cannot reach the chat.
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script) return;
  var key = script.getAttribute('data-line');
  if (!key) {
    console.error('Ikono Chat: the widget script needs data-line="KEY" (the key of a line\'s widget)');
    return;
  }
  var origin = new URL(script.src, location.href).origin;
  var asked = script.getAttribute('data-lang') || document.documentElement.lang || navigator.language || 'en';
  var lang = asked.toLowerCase().indexOf('es') === 0 ? 'es' : 'en';
  var theme = script.getAttribute('data-theme') || 'auto';
  var words = {
    en: { open: 'Open the chat', close: 'Close the chat', title: 'Chat' },
    es: { open: 'Abrir el chat', close: 'Cerrar el chat', title: 'Chat' },
  }[lang];

  var host = document.createElement('div');
  host.setAttribute('data-ikono-chat', '');
  var root = host.attachShadow({ mode: 'open' });
  var style = document.createElement('style');
  style.textContent =
    ':host { all: initial; }' +
    '.launcher { position: fixed; right: 20px; bottom: 20px; width: 56px; height: 56px; border-radius: 50%;' +
    ' border: 0; background: #2463eb; color: #fff; font: 600 24px/1 system-ui, sans-serif; cursor: pointer;' +
    ' box-shadow: 0 4px 14px rgba(0, 0, 0, .25); z-index: 2147483647; }' +
    '.launcher:focus-visible { outline: 3px solid #93b4ff; outline-offset: 2px; }' +
    '.room { position: fixed; right: 20px; bottom: 88px; width: min(380px, calc(100vw - 40px));' +
    ' height: min(560px, calc(100vh - 120px)); border: 0; border-radius: 12px; background: #fff;' +
    ' box-shadow: 0 8px 30px rgba(0, 0, 0, .3); z-index: 2147483647; }' +
    '.room[hidden] { display: none; }';
  var button = document.createElement('button');
  button.type = 'button';
  button.className = 'launcher';
  button.setAttribute('aria-label', words.open);
  button.setAttribute('aria-expanded', 'false');
  button.textContent = '\u{1F4AC}';
  var room = null;
  button.addEventListener('click', function () {
    if (!room) {
      room = document.createElement('iframe');
      room.className = 'room';
      room.title = words.title;
      room.src = origin + '/widget/' + encodeURIComponent(key) + '?lang=' + lang + '&theme=' + encodeURIComponent(theme);
      root.appendChild(room);
    } else {
      room.hidden = !room.hidden;
    }
    var open = !room.hidden;
    button.setAttribute('aria-expanded', String(open));
    button.setAttribute('aria-label', open ? words.close : words.open);
    button.textContent = open ? '\u00D7' : '\u{1F4AC}';
  });
  root.appendChild(style);
  root.appendChild(button);

  function mount() {
    document.body.appendChild(host);
  }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
