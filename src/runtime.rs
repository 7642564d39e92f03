//! The runtimes of a process: the run's own thread, and a small pool apart from it.
//!
//! A run's scenarios, steps, validation and HTTP client share one thread (a current-thread
//! runtime). With a multi-thread runtime the client's connections lived on worker threads, and
//! every response was read on one thread and handed to the run's thread on another: ten times the
//! context switches, and about a tenth more of the harness's CPU per request (benches/README.md,
//! "One thread for the run").
//!
//! What must not wait on the run's thread runs apart, on a pool of its own ([`spawn_apart`]): the
//! embedded reference provider (it answers while the run validates, as a remote target does, and
//! uses the other cores) and the watch for Ctrl-C (a second press exits at once, even while the
//! run's thread is busy). `gpc-assure serve` is the provider alone and keeps a multi-thread runtime.

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::{Builder, Handle, Runtime};
use tokio::task::JoinHandle;

/// The runtime `main` runs a command on: the run's one thread, or (`serve`, a server and nothing
/// else) a pool of worker threads.
pub fn for_command(serves: bool) -> std::io::Result<Runtime> {
    let mut builder = if serves {
        Builder::new_multi_thread()
    } else {
        Builder::new_current_thread()
    };
    builder.enable_all().build()
}

/// The pool apart from the run's thread, started when first asked for. `None` if the system
/// refused its threads: what would run there then runs on the caller's runtime, as a
/// single-runtime build did.
fn apart() -> Option<&'static Handle> {
    static APART: OnceLock<Option<Runtime>> = OnceLock::new();
    APART
        .get_or_init(|| {
            Builder::new_multi_thread()
                .thread_name("gpc-assure-apart")
                .enable_all()
                .build()
                .ok()
        })
        .as_ref()
        .map(Runtime::handle)
}

/// Run `future` on the pool apart from the caller's thread (see the module's notes); its handle
/// can be awaited from any runtime.
pub fn spawn_apart<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match apart() {
        Some(pool) => pool.spawn(future),
        None => tokio::spawn(future),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_has_one_thread_and_a_server_a_pool() {
        let run = for_command(false).unwrap();
        assert_eq!(
            run.handle().runtime_flavor(),
            tokio::runtime::RuntimeFlavor::CurrentThread
        );
        let serve = for_command(true).unwrap();
        assert_eq!(
            serve.handle().runtime_flavor(),
            tokio::runtime::RuntimeFlavor::MultiThread
        );
    }

    #[test]
    fn work_apart_goes_on_while_the_run_thread_is_busy() {
        let run = for_command(false).unwrap();
        run.block_on(async {
            let (tx, rx) = std::sync::mpsc::channel();
            let task = spawn_apart(async move {
                tx.send(std::thread::current().id()).unwrap();
            });
            // the run's thread does not yield here: the task must finish on another thread
            let there = rx
                .recv_timeout(std::time::Duration::from_secs(10))
                .expect("the task apart ran while this thread was busy");
            assert_ne!(there, std::thread::current().id());
            task.await.unwrap();
        });
    }
}
