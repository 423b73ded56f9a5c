//! Stand-ins for the outside world on 127.0.0.1: an SMTP server that keeps what it receives, and
//! a web service with routes the test writes.

use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

/// One e-mail as the SMTP server received it.
#[derive(Debug)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    /// Headers and body, as sent after DATA.
    pub data: String,
}

pub struct SmtpServer {
    /// `smtp://127.0.0.1:<port>`
    pub url: String,
    mails: mpsc::UnboundedReceiver<ReceivedMail>,
    _server: tokio::task::JoinHandle<()>,
}

impl SmtpServer {
    pub async fn next(&mut self) -> ReceivedMail {
        tokio::time::timeout(Duration::from_secs(10), self.mails.recv()).await.expect("an e-mail").unwrap()
    }
}

/// An SMTP server that accepts every message (RFC 5321's minimum: HELO/EHLO, MAIL, RCPT, DATA,
/// RSET, NOOP, QUIT).
pub async fn smtp_server() -> SmtpServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let (sender, mails) = mpsc::unbounded_channel();
    let server = tokio::spawn(async move {
        while let Ok((connection, _)) = listener.accept().await {
            let sender = sender.clone();
            tokio::spawn(async move {
                let (reading, mut writing) = connection.into_split();
                let mut lines = BufReader::new(reading).lines();
                let _ = writing.write_all(b"220 localhost test SMTP\r\n").await;
                let (mut from, mut to) = (String::new(), Vec::new());
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
                    let answer = match verb.as_str() {
                        "EHLO" | "HELO" => "250 localhost\r\n",
                        "MAIL" => {
                            from = line[line.find(':').map_or(0, |i| i + 1)..].trim().to_string();
                            "250 OK\r\n"
                        }
                        "RCPT" => {
                            to.push(line[line.find(':').map_or(0, |i| i + 1)..].trim().to_string());
                            "250 OK\r\n"
                        }
                        "DATA" => {
                            let _ = writing.write_all(b"354 go on\r\n").await;
                            let mut data = String::new();
                            while let Ok(Some(line)) = lines.next_line().await {
                                if line == "." {
                                    break;
                                }
                                data.push_str(&line);
                                data.push('\n');
                            }
                            let mail = ReceivedMail { from: from.clone(), to: std::mem::take(&mut to), data };
                            let _ = sender.send(mail);
                            "250 OK\r\n"
                        }
                        "QUIT" => {
                            let _ = writing.write_all(b"221 bye\r\n").await;
                            break;
                        }
                        _ => "250 OK\r\n",
                    };
                    if writing.write_all(answer.as_bytes()).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    SmtpServer { url, mails, _server: server }
}

/// Serves `app` on 127.0.0.1; answers its base address.
pub async fn web_service(app: axum::Router) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, server)
}
