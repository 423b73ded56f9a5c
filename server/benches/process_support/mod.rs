//! What the benchmarks that run the server as its own process share (its memory is then its
//! own): starting it with the widget's limits raised for the one address the load comes from,
//! stopping it, and reading its resident memory.

use std::time::{Duration, Instant};

/// The server's process, killed when dropped.
pub struct ServerProcess {
    child: std::process::Child,
    pub address: String,
}

impl ServerProcess {
    /// Starts the server on `database_url` with `extra` flags, its widget limits raised to `many`,
    /// and waits until it answers.
    pub async fn start(database_url: &str, many: usize, extra: &[&str]) -> Self {
        let port =
            std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a port");
        let limits = format!(
            "visitors_per_address_hour={many},visitors_per_widget_hour={many},visitor_sockets_per_address={many},\
             visitor_sockets_per_widget={many},widget_messages_per_address_minute={many},\
             widget_messages_per_widget_minute={many}"
        );
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["--address", &format!("127.0.0.1:{port}"), "--database-url", database_url, "--limits", &limits])
            .args(extra)
            .env("IKONO_SITE_ROOT", std::env::temp_dir())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the server starts");
        let server = Self { child, address: format!("http://127.0.0.1:{port}") };
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(600);
        while !http.get(format!("{}/healthz", server.address)).send().await.is_ok_and(|a| a.status().is_success()) {
            assert!(Instant::now() < deadline, "the server did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// The resident memory of process `pid`, in MiB, as the kernel counts it.
pub fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:")?.trim().strip_suffix("kB")?.trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
