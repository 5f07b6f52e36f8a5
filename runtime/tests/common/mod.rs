//! A tiny HTTP/1.1 server on 127.0.0.1 for the client's tests: one thread, one request per
//! connection, and a handler that answers or drops the connection without a word, as a
//! crashing server or a broken network does.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// A request as the server read it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the handler does with a request: answer with a status, extra headers and a JSON body,
/// or drop the connection.
pub enum Answer {
    Json(u16, &'static [(&'static str, &'static str)], String),
    Drop,
}

pub struct TestServer {
    pub addr: SocketAddr,
    /// Every request read, in order; its index is the connection's.
    pub seen: Arc<Mutex<Vec<Seen>>>,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Serves until dropped; `handler` gets the connection's index (0 for the first) and the
    /// request.
    pub fn start(handler: impl Fn(usize, &Seen) -> Answer + Send + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (seen, connections, stop) = (seen.clone(), connections.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let Ok(mut stream) = stream else { continue };
                    let index = connections.fetch_add(1, Ordering::SeqCst);
                    let Some(request) = read_request(&mut stream) else {
                        continue;
                    };
                    seen.lock().unwrap().push(request.clone());
                    match handler(index, &request) {
                        Answer::Drop => drop(stream),
                        Answer::Json(status, headers, body) => {
                            let mut head = format!(
                                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n\
                                 content-length: {}\r\nconnection: close\r\n",
                                body.len()
                            );
                            for (name, value) in headers {
                                head.push_str(&format!("{name}: {value}\r\n"));
                            }
                            head.push_str("\r\n");
                            let _ = stream.write_all(head.as_bytes());
                            let _ = stream.write_all(body.as_bytes());
                        }
                    }
                }
            })
        };
        TestServer {
            addr,
            seen,
            connections,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many connections were accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, path) = (first.next()?.to_owned(), first.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Seen {
        method,
        path,
        headers,
        body,
    })
}

/// A vCenter-like `/api` with sessions the test can expire: `POST /api/session` with the
/// right basic credentials makes a new session; any other call needs the current one and
/// answers `UNAUTHENTICATED` otherwise.
pub struct Sessions {
    pub current: Mutex<Option<String>>,
    pub logins: AtomicUsize,
    pub authorization: Mutex<String>,
}

impl Sessions {
    /// `authorization` is the `Authorization` header a login must carry.
    pub fn new(authorization: &str) -> Arc<Self> {
        Arc::new(Sessions {
            current: Mutex::new(None),
            logins: AtomicUsize::new(0),
            authorization: Mutex::new(authorization.to_owned()),
        })
    }

    /// Ends the current session, as vCenter does after idle time.
    pub fn expire(&self) {
        *self.current.lock().unwrap() = None;
    }

    pub fn logins(&self) -> usize {
        self.logins.load(Ordering::SeqCst)
    }

    pub fn answer(&self, request: &Seen, ok_body: &str) -> Answer {
        if request.method == "POST" && request.path == "/api/session" {
            if request.header("authorization") != Some(self.authorization.lock().unwrap().as_str())
            {
                return unauthenticated();
            }
            let n = self.logins.fetch_add(1, Ordering::SeqCst) + 1;
            let id = format!("session-{n}-7f3a");
            *self.current.lock().unwrap() = Some(id.clone());
            return Answer::Json(201, &[], format!("{id:?}"));
        }
        let current = self.current.lock().unwrap().clone();
        if current.is_some() && request.header("vmware-api-session-id") == current.as_deref() {
            Answer::Json(200, &[], ok_body.to_owned())
        } else {
            unauthenticated()
        }
    }
}

pub fn unauthenticated() -> Answer {
    Answer::Json(
        401,
        &[],
        r#"{"error_type":"UNAUTHENTICATED","messages":[]}"#.to_owned(),
    )
}

/// `Basic` credentials as a client sends them: `administrator@vsphere.local:hunter2`.
pub const BASIC_ADMIN_HUNTER2: &str = "Basic YWRtaW5pc3RyYXRvckB2c3BoZXJlLmxvY2FsOmh1bnRlcjI=";
