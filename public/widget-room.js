// The web chat widget's room: the page /widget/KEY that widget.js opens in an iframe. The server
// renders the page and every message (in the visitor's language); this script only keeps it live,
// so that a customer's phone downloads a few kilobytes and no WASM:
// - the visitor's token is kept in this browser (asked for once);
// - their messages are fetched, already rendered, with the token, whenever the server's WebSocket
//   says the chat changed and on every (re)connection; only messages not shown yet are added;
// - what they type, tap or attach is sent; files show their upload's progress.
// Nothing the server sends is run: messages arrive as HTML our server escaped, placed as nodes.
(function () {
  'use strict';
  var room = document.querySelector('[data-widget-key]');
  var form = room && room.querySelector('form.widget-compose');
  if (!form) return; // no such widget: the page says so
  var key = room.getAttribute('data-widget-key');
  var lang = room.getAttribute('lang') || 'en';
  var fileMaxBytes = Number(room.getAttribute('data-file-max-bytes'));
  var list = room.querySelector('.widget-messages');
  var failure = room.querySelector('[role="alert"]');
  var progress = room.querySelector('progress.widget-upload');
  var text = form.querySelector('input[type="text"]');
  var file = form.querySelector('input[type="file"]');
  var api = '/api/v1/widget/' + encodeURIComponent(key);
  var slot = 'ikono-chat-visitor-' + key;
  var token = null;

  function say(problem) {
    failure.textContent = problem || '';
    failure.hidden = !problem;
  }

  function stored() {
    try {
      return window.localStorage.getItem(slot);
    } catch (blocked) {
      return null; // storage refused (a browser's privacy setting): a new visitor each visit
    }
  }

  function keep(value) {
    try {
      window.localStorage.setItem(slot, value);
    } catch (blocked) {
      /* as above */
    }
  }

  function authorized(extra) {
    var headers = { Authorization: 'Bearer ' + token };
    for (var name in extra) headers[name] = extra[name];
    return headers;
  }

  async function refusal(response) {
    try {
      return (await response.json()).error;
    } catch (unreadable) {
      return room.getAttribute('data-unreachable');
    }
  }

  async function newVisitor() {
    var response = await fetch(api + '/visitors', { method: 'POST' });
    if (!response.ok) throw new Error(await refusal(response));
    token = (await response.json()).token;
    keep(token);
  }

  // Our own files are the visitor's only with their token: each is fetched with it and shown from
  // memory, so that the token never travels in an address.
  function showFiles(item) {
    item.querySelectorAll('[data-media]').forEach(async function (element) {
      var file = element.getAttribute('data-media').slice('/media/'.length);
      var response = await fetch(api + '/media/' + encodeURIComponent(file), { headers: authorized({}) });
      if (!response.ok) return;
      var address = URL.createObjectURL(await response.blob());
      element.setAttribute(element.tagName === 'A' ? 'href' : 'src', address);
      if (element.tagName === 'A') element.setAttribute('download', file);
    });
  }

  // Adds the messages not shown yet, in order, and replaces those the agent edited or deleted
  // since (their version changed); the bot's buttons and the empty-chat line are replaced, since
  // only the latest ones stand.
  function place(html) {
    var fresh = document.createElement('template');
    fresh.innerHTML = html;
    list.querySelectorAll('li:not([data-id])').forEach(function (item) {
      item.remove();
    });
    Array.from(fresh.content.children).forEach(function (item) {
      var id = item.getAttribute('data-id');
      var shown = id && list.querySelector('li[data-id="' + CSS.escape(id) + '"]');
      if (shown && shown.getAttribute('data-version') === item.getAttribute('data-version')) return;
      if (shown) shown.replaceWith(item);
      else list.appendChild(item);
      showFiles(item);
    });
  }

  var asking = null;
  var askAgain = false;
  // One request at a time; a change meanwhile asks once more after it.
  async function refresh() {
    if (asking) {
      askAgain = true;
      return asking;
    }
    asking = (async function () {
      var renewed = false;
      do {
        askAgain = false;
        var response = await fetch('/widget/' + encodeURIComponent(key) + '/messages?lang=' + lang, {
          headers: authorized({}),
        });
        if (response.status === 401 && !renewed) {
          // A kept token this server cannot read: start over as a new visitor, once.
          renewed = true;
          askAgain = true;
          await newVisitor();
          continue;
        }
        if (!response.ok) throw new Error(await refusal(response));
        place(await response.text());
      } while (askAgain);
    })();
    try {
      await asking;
    } finally {
      asking = null;
    }
  }

  function follow() {
    var scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    var socket = new WebSocket(scheme + location.host + api + '/live?visitor=' + encodeURIComponent(token));
    socket.onopen = function () {
      refresh().catch(function (problem) {
        say(problem.message);
      });
    };
    socket.onmessage = function (event) {
      try {
        if (JSON.parse(event.data).topic !== 'messages') return;
      } catch (unreadable) {
        return;
      }
      refresh().catch(function (problem) {
        say(problem.message);
      });
    };
    socket.onclose = function () {
      setTimeout(follow, 1000);
    };
  }

  async function send(said, media) {
    var response = await fetch(api + '/messages', {
      method: 'POST',
      headers: authorized({ 'Content-Type': 'application/json' }),
      body: JSON.stringify({ text: said, media: media }),
    });
    if (!response.ok) throw new Error(await refusal(response));
    say('');
    await refresh();
  }

  function upload(chosen) {
    return new Promise(function (resolve, reject) {
      var request = new XMLHttpRequest();
      request.open('POST', api + '/files');
      request.setRequestHeader('Authorization', 'Bearer ' + token);
      request.setRequestHeader('Content-Type', chosen.type || 'application/octet-stream');
      request.upload.onprogress = function (event) {
        if (event.lengthComputable) progress.value = Math.round((100 * event.loaded) / event.total);
      };
      request.onload = function () {
        var answer = null;
        try {
          answer = JSON.parse(request.responseText);
        } catch (unreadable) {
          /* said below */
        }
        if (request.status >= 200 && request.status < 300 && answer && answer.url) resolve(answer.url);
        else reject(new Error((answer && answer.error) || room.getAttribute('data-unreachable')));
      };
      request.onerror = function () {
        reject(new Error(room.getAttribute('data-unreachable')));
      };
      progress.value = 0;
      progress.hidden = false;
      request.send(chosen);
    }).finally(function () {
      progress.hidden = true;
    });
  }

  function attempt(work) {
    work().catch(function (problem) {
      say(problem.message);
    });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var said = text.value;
    if (!said.trim() || !token) return;
    text.value = '';
    attempt(function () {
      return send(said, null);
    });
  });

  list.addEventListener('click', function (event) {
    var choice = event.target.closest('button.choice[data-answer]');
    if (!choice || !token) return;
    attempt(function () {
      return send(choice.getAttribute('data-answer'), null);
    });
  });

  file.addEventListener('change', function () {
    var chosen = file.files && file.files[0];
    file.value = '';
    if (!chosen || !token) return;
    if (chosen.size > fileMaxBytes) {
      say(room.getAttribute('data-too-large'));
      return;
    }
    attempt(async function () {
      await send('', await upload(chosen));
    });
  });

  (async function start() {
    token = stored();
    if (!token) await newVisitor();
    follow();
    // Browser tests wait for this, as for the app's hydrated pages, before they act.
    document.body.setAttribute('data-hydrated', 'true');
  })().catch(function (problem) {
    say(problem.message);
  });
})();
