//! The accept loop (hyper under axum's router), the simulator's shared
//! state, and the faults that act on the connection itself.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::response::Response;
use futures_util::StreamExt as _;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::config::SimConfig;
use super::db::Db;
use super::error::SimError;
use super::faults::{Fault, Faults};
use super::rng::SplitMix;
use super::tenant::{self, Credentials};

/// Requests kept in the log.
const LOG_LENGTH: usize = 1000;

/// What every route shares.
pub(crate) struct Shared {
    pub config: SimConfig,
    pub credentials: Credentials,
    pub db: Db,
    faults: RwLock<(Faults, SplitMix)>,
    requests: AtomicU64,
    log: Mutex<VecDeque<String>>,
    /// The Graph routes without the fault layer, for `$batch` sub-requests.
    pub inner: OnceLock<Router>,
    /// Where the Apple listings' pages start, per version (issue 8).
    pub apple_pages: super::apple::PageStarts,
}

impl Shared {
    /// Builds or opens the tenant.
    pub(crate) fn prepare(config: SimConfig) -> Result<Shared, SimError> {
        let credentials = tenant::prepare(&config)?;
        super::apple::prepare(&config)?;
        let dice = dice_for(&config.faults, config.seed);
        Ok(Shared {
            db: Db::new(config.state.clone()),
            faults: RwLock::new((config.faults.clone(), dice)),
            credentials,
            config,
            requests: AtomicU64::new(0),
            log: Mutex::new(VecDeque::new()),
            inner: OnceLock::new(),
            apple_pages: super::apple::PageStarts::default(),
        })
    }

    pub(crate) fn set_faults(&self, faults: Faults) {
        let dice = dice_for(&faults, self.config.seed);
        if let Ok(mut guard) = self.faults.write() {
            *guard = (faults, dice);
        }
    }

    /// Draws this request's fault; returns it with the faults in force.
    pub(crate) fn draw(&self) -> (Option<Fault>, Faults, String) {
        match self.faults.write() {
            Ok(mut guard) => {
                let (faults, dice) = &mut *guard;
                let fault = faults.draw(dice);
                let retry_after = faults.retry_after(dice);
                (fault, faults.clone(), retry_after)
            }
            Err(_) => (None, Faults::none(), "1".to_owned()),
        }
    }

    /// The faults in force, without a draw.
    pub(crate) fn draw_flags(&self) -> Faults {
        self.faults.read().map(|g| g.0.clone()).unwrap_or_default()
    }

    /// Whether delta tokens are all expired by the `expire-delta` fault.
    pub(crate) fn delta_expired_by_fault(&self) -> bool {
        self.faults.read().map(|g| g.0.expire_delta).unwrap_or(false)
    }

    pub(crate) fn note_request(&self, line: String) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.log_line(line);
    }

    pub(crate) fn log_line(&self, line: String) {
        if let Ok(mut log) = self.log.lock() {
            if log.len() == LOG_LENGTH {
                log.pop_front();
            }
            log.push_back(line);
        }
    }

    pub(crate) fn graph_requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    pub(crate) fn request_log(&self) -> Vec<String> {
        self.log
            .lock()
            .map(|log| log.iter().cloned().collect())
            .unwrap_or_default()
    }
}

fn dice_for(faults: &Faults, seed: u64) -> SplitMix {
    SplitMix::new(faults.seed.unwrap_or(seed), "faults")
}

/// A fault the connection itself carries out, set on a response by the
/// fault layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TransportFault {
    /// Close the connection without answering.
    Reset,
    /// Send the head and half the body, promising all of it, then close.
    Truncate,
}

/// The error that makes hyper drop a connection.
#[derive(Debug, thiserror::Error)]
#[error("connection reset by the simulator's fault injection")]
struct Reset;

/// Serves until `stopped` says so, then drops every open connection.
pub(crate) async fn run(shared: Arc<Shared>, listener: TcpListener, mut stopped: watch::Receiver<bool>) {
    let router = super::routes::router(&shared);
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    connections.spawn(serve_connection(stream, router.clone()));
                }
                Err(err) => {
                    tracing::warn!(%err, "simulator accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            changed = stopped.changed() => {
                if changed.is_err() || *stopped.borrow() {
                    break;
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.abort_all();
}

async fn serve_connection(stream: tokio::net::TcpStream, router: Router) {
    let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
        let mut router = router.clone();
        async move {
            let response = tower_service::Service::call(&mut router, request.map(Body::new))
                .await
                .unwrap_or_else(|never| match never {});
            carry_out(response).await
        }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service);
    // A reset or truncation ends the connection with an error, on purpose.
    let _ = connection.await;
}

/// Applies a transport fault marked on the response.
async fn carry_out(mut response: Response) -> Result<Response, Reset> {
    match response.extensions_mut().remove::<TransportFault>() {
        None => Ok(response),
        Some(TransportFault::Reset) => Err(Reset),
        Some(TransportFault::Truncate) => Ok(truncated(response).await),
    }
}

/// The response with half its body, then a broken connection: the
/// Content-Length header promises the whole body.
async fn truncated(response: Response) -> Response {
    use http_body_util::BodyExt as _;
    let (mut parts, body) = response.into_parts();
    let whole: Bytes = body.collect().await.map(|c| c.to_bytes()).unwrap_or_default();
    parts
        .headers
        .insert(axum::http::header::CONTENT_LENGTH, whole.len().into());
    let half = whole.slice(..whole.len() / 2);
    let first = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(half) });
    // Give hyper a moment to flush the first half before the error.
    let broken = futures_util::stream::once(async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "truncated by fault",
        ))
    });
    Response::from_parts(parts, Body::from_stream(first.chain(broken)))
}
