//! Headless Chromium driven over its DevTools protocol (a WebSocket on 127.0.0.1), for the print
//! test: open a page as a signed-in user, measure it laid out for print and print it to PDF.
//! The WebSocket client is the few lines the protocol needs (text frames, masked from the
//! client), so the test needs no crate beyond the workspace's.

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The `chromium` (or `chromium-browser`) on PATH, if any.
pub fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// One headless Chromium with one page, attached over the DevTools protocol.
pub struct Chromium {
    child: Child,
    socket: TcpStream,
    session: String,
    next_id: u64,
    _profile: tempfile::TempDir,
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Chromium {
    /// Starts `program` headless with a fresh profile and opens a blank page.
    pub fn start(program: &Path) -> Result<Chromium, Error> {
        let profile = tempfile::tempdir()?;
        let child = Command::new(program)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        // Chromium writes the port it chose and the browser's path to DevToolsActivePort.
        let active = profile.path().join("DevToolsActivePort");
        let started = Instant::now();
        let (port, path) = loop {
            if let Ok(text) = std::fs::read_to_string(&active) {
                let mut lines = text.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                    break (port.trim().parse::<u16>()?, path.trim().to_owned());
                }
            }
            if started.elapsed() > Duration::from_secs(30) {
                return Err("chromium did not open its DevTools port".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let socket = handshake(port, &path)?;
        let mut chromium = Chromium {
            child,
            socket,
            session: String::new(),
            next_id: 0,
            _profile: profile,
        };
        let target = chromium.call("Target.createTarget", json!({"url": "about:blank"}))?;
        let target_id = target["targetId"].as_str().ok_or("no target")?.to_owned();
        let attached = chromium.call(
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
        )?;
        chromium.session = attached["sessionId"]
            .as_str()
            .ok_or("no session")?
            .to_owned();
        Ok(chromium)
    }

    /// Sends a command (to the page once attached) and waits for its answer, skipping events.
    pub fn call(&mut self, method: &str, params: Value) -> Result<Value, Error> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty() {
            message["sessionId"] = json!(self.session);
        }
        send_frame(&mut self.socket, message.to_string().as_bytes())?;
        loop {
            let answer: Value = serde_json::from_slice(&read_message(&mut self.socket)?)?;
            if answer["id"].as_u64() == Some(id) {
                if let Some(error) = answer.get("error") {
                    return Err(format!("{method}: {error}").into());
                }
                return Ok(answer["result"].clone());
            }
        }
    }

    /// Evaluates `expression` in the page (awaiting a promise) and returns its value.
    pub fn eval(&mut self, expression: &str) -> Result<Value, Error> {
        let result = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        )?;
        if let Some(exception) = result.get("exceptionDetails") {
            return Err(format!("script failed: {exception}").into());
        }
        Ok(result["result"]["value"].clone())
    }

    /// Opens `url` and waits until it is loaded and its fonts are ready.
    pub fn open(&mut self, url: &str) -> Result<(), Error> {
        let navigated = self.call("Page.navigate", json!({"url": url}))?;
        if let Some(error) = navigated.get("errorText") {
            return Err(format!("{url}: {error}").into());
        }
        self.wait_until(&format!(
            "document.readyState === 'complete' && location.href === {}",
            json!(url)
        ))
    }

    /// Waits until `condition` (a script) is true in the page, then for its fonts.
    pub fn wait_until(&mut self, condition: &str) -> Result<(), Error> {
        let started = Instant::now();
        while self.eval(condition)? != json!(true) {
            if started.elapsed() > Duration::from_secs(30) {
                return Err(format!("timed out waiting for {condition}").into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.eval("document.fonts.ready.then(() => true)")?;
        Ok(())
    }

    /// Signs in on `base`/login as `username` the way a person does, after signing out anyone.
    pub fn sign_in(&mut self, base: &str, username: &str, password: &str) -> Result<(), Error> {
        self.call("Network.clearBrowserCookies", json!({}))?;
        self.open(&format!("{base}/login"))?;
        self.eval(&format!(
            "(() => {{ document.getElementById('username').value = {}; \
             document.getElementById('password').value = {}; \
             document.getElementById('username').form.submit(); return true; }})()",
            json!(username),
            json!(password)
        ))?;
        self.wait_until("document.readyState === 'complete' && location.pathname !== '/login'")
    }

    /// Lays the open page out as printed on a page `width_px` CSS pixels wide and runs `script`
    /// there; the page is back to the screen afterwards.
    pub fn eval_as_printed(&mut self, width_px: u32, script: &str) -> Result<Value, Error> {
        self.call("Emulation.setEmulatedMedia", json!({"media": "print"}))?;
        self.call("Emulation.setScrollbarsHidden", json!({"hidden": true}))?;
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width_px, "height": 1100, "deviceScaleFactor": 1, "mobile": false}),
        )?;
        let value = self.eval(script);
        self.call("Emulation.setScrollbarsHidden", json!({"hidden": false}))?;
        self.call("Emulation.clearDeviceMetricsOverride", json!({}))?;
        self.call("Emulation.setEmulatedMedia", json!({"media": ""}))?;
        value
    }

    /// The open page printed to PDF as the browser's print does, on the pages its CSS asks for.
    pub fn print_to_pdf(&mut self) -> Result<Vec<u8>, Error> {
        let printed = self.call(
            "Page.printToPDF",
            json!({"printBackground": true, "preferCSSPageSize": true,
                   "displayHeaderFooter": false}),
        )?;
        decode_base64(printed["data"].as_str().ok_or("no pdf")?)
    }
}

/// Opens the WebSocket to the browser at `path` on `port`.
fn handshake(port: u16, path: &str) -> Result<TcpStream, Error> {
    let mut socket = TcpStream::connect(("127.0.0.1", port))?;
    socket.set_read_timeout(Some(Duration::from_secs(60)))?;
    write!(
        socket,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: aml4aWFvLXByaW50LXRlc3Q=\r\n\
         Sec-WebSocket-Version: 13\r\n\r\n"
    )?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        socket.read_exact(&mut byte)?;
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    if !head.starts_with("HTTP/1.1 101") {
        return Err(format!("websocket refused: {head}").into());
    }
    Ok(socket)
}

/// Sends one text frame, masked as a client must.
fn send_frame(socket: &mut TcpStream, payload: &[u8]) -> Result<(), Error> {
    const MASK: [u8; 4] = [0x5a, 0x17, 0xc3, 0x81];
    let mut frame = vec![0x81u8];
    match payload.len() {
        n if n < 126 => frame.push(0x80 | u8::try_from(n)?),
        n if n <= usize::from(u16::MAX) => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&u16::try_from(n)?.to_be_bytes());
        }
        n => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&u64::try_from(n)?.to_be_bytes());
        }
    }
    frame.extend_from_slice(&MASK);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ MASK[i % 4]));
    socket.write_all(&frame)?;
    Ok(())
}

/// Reads one whole message (joining continuation frames).
fn read_message(socket: &mut TcpStream) -> Result<Vec<u8>, Error> {
    let mut message = Vec::new();
    loop {
        let mut head = [0u8; 2];
        socket.read_exact(&mut head)?;
        let (fin, opcode) = (head[0] & 0x80 != 0, head[0] & 0x0f);
        let length = match head[1] & 0x7f {
            126 => {
                let mut n = [0u8; 2];
                socket.read_exact(&mut n)?;
                u64::from(u16::from_be_bytes(n))
            }
            127 => {
                let mut n = [0u8; 8];
                socket.read_exact(&mut n)?;
                u64::from_be_bytes(n)
            }
            n => u64::from(n),
        };
        let mut payload = vec![0u8; usize::try_from(length)?];
        socket.read_exact(&mut payload)?;
        match opcode {
            0x8 => return Err("chromium closed the connection".into()),
            0x9 | 0xa => continue,
            _ => message.extend_from_slice(&payload),
        }
        if fin {
            return Ok(message);
        }
    }
}

/// Standard base64 (the PDF as the protocol sends it).
fn decode_base64(text: &str) -> Result<Vec<u8>, Error> {
    let value = |c: u8| -> Result<u32, Error> {
        Ok(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return Err(format!("not base64: {c}").into()),
        }
        .into())
    };
    let bytes: Vec<u8> = text.bytes().filter(|b| *b != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= value(*c)? << (18 - 6 * i);
        }
        let [_, a, b, c] = n.to_be_bytes();
        out.extend_from_slice(&[a, b, c][..chunk.len().saturating_sub(1)]);
    }
    Ok(out)
}
