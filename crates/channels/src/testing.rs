//! Test support (feature `testing`): an in-process fake SMTP server for the
//! e-mail adapter's tests and the platform's delivery tests.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test support only (feature `testing`)

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message the fake server accepted.
#[derive(Debug, Clone, Default)]
pub struct Mail {
    /// The EHLO/HELO argument.
    pub ehlo: String,
    /// The MAIL FROM argument.
    pub from: String,
    /// Accepted RCPT TO arguments.
    pub rcpt: Vec<String>,
    /// The DATA, dot-stuffing undone.
    pub data: String,
    /// Whether the client said QUIT after it.
    pub quit: bool,
}

/// What the fake server accepted, in order.
pub type Log = Arc<Mutex<Vec<Mail>>>;

/// A minimal SMTP server: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
/// `RCPT` to `perm…@` gets 550, to `temp…@` 451; everything else 250.
pub async fn fake_smtp() -> (SocketAddr, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let log: Log = Arc::default();
    let log2 = log.clone();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let log = log2.clone();
            tokio::spawn(async move {
                let (rd, mut wr) = sock.into_split();
                let mut rd = BufReader::new(rd);
                let mut mail = Mail::default();
                let mut logged: Option<usize> = None;
                wr.write_all(b"220 fake.test ESMTP ready\r\n")
                    .await
                    .unwrap();
                let mut line = String::new();
                loop {
                    line.clear();
                    if rd.read_line(&mut line).await.unwrap_or(0) == 0 {
                        break;
                    }
                    let cmd = line.trim_end().to_string();
                    let upper = cmd.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        mail.ehlo = cmd[5..].to_string();
                        b"250-fake.test greets you\r\n250-8BITMIME\r\n250 SIZE 10000000\r\n"
                    } else if upper.starts_with("MAIL FROM:") {
                        mail.from = cmd[10..].to_string();
                        b"250 2.1.0 OK\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        let to = cmd[8..].to_string();
                        let local = to.trim_start_matches('<').to_ascii_lowercase();
                        if local.starts_with("perm") {
                            b"550 5.1.1 no such mailbox\r\n"
                        } else if local.starts_with("temp") {
                            b"451 4.3.0 mailbox busy, try later\r\n"
                        } else {
                            mail.rcpt.push(to);
                            b"250 2.1.5 OK\r\n"
                        }
                    } else if upper == "DATA" {
                        wr.write_all(b"354 end with <CRLF>.<CRLF>\r\n")
                            .await
                            .unwrap();
                        let mut data = String::new();
                        loop {
                            line.clear();
                            if rd.read_line(&mut line).await.unwrap_or(0) == 0 {
                                return;
                            }
                            if line == ".\r\n" {
                                break;
                            }
                            // Undo dot-stuffing.
                            let l = line.strip_prefix('.').unwrap_or(&line);
                            data.push_str(l);
                        }
                        mail.data = data;
                        let mut l = log.lock().unwrap();
                        l.push(mail.clone());
                        logged = Some(l.len() - 1);
                        b"250 2.0.0 queued as FAKE1\r\n"
                    } else if upper == "RSET" || upper == "NOOP" {
                        b"250 2.0.0 OK\r\n"
                    } else if upper == "QUIT" {
                        if let Some(i) = logged {
                            log.lock().unwrap()[i].quit = true;
                        }
                        wr.write_all(b"221 2.0.0 bye\r\n").await.unwrap();
                        break;
                    } else {
                        b"502 5.5.2 not implemented\r\n"
                    };
                    wr.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (addr, log)
}
