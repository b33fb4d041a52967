//! The fake WeChat API of the demo ([`FakeWeChat::demo`]) as a process of
//! its own, for the load script (`load/run.sh`): several server instances
//! share it as they would share WeChat.
//!
//! ```sh
//! PORT=4100 cargo run --release -p wxdecrypt-server --example fake_wechat
//! ```

use std::io::Write as _;
use std::process::ExitCode;

use wxdecrypt_server::fake_wechat::FakeWeChat;

#[tokio::main]
async fn main() -> ExitCode {
    let port = match std::env::var("PORT").map(|text| text.parse::<u16>()) {
        Ok(Ok(port)) => port,
        Err(std::env::VarError::NotPresent) => 0,
        _ => {
            let _ = writeln!(
                std::io::stderr().lock(),
                "fake_wechat: PORT must be a port number"
            );
            return ExitCode::FAILURE;
        }
    };
    match FakeWeChat::demo().spawn(port).await {
        Ok(url) => {
            let _ = writeln!(std::io::stderr().lock(), "fake_wechat: on {url}");
            // Serves until the process is stopped.
            std::future::pending::<()>().await;
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr().lock(), "fake_wechat: cannot listen: {e}");
            ExitCode::FAILURE
        }
    }
}
