//! Delay lines: the orchestrator's side of the latency fault. The host's firewall queues a
//! delayed component's packets (NFQUEUE, see [`super::firewall`]); a delay line is a thread
//! that takes them from its queue, holds each for the delay and lets it go on, in arrival
//! order (every packet waits the same time, so order is kept).

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The queue numbers tried, from the first: each delay line binds the first free one (the
/// kernel refuses a number another socket holds, in any process).
const FIRST_QUEUE: u16 = 19_540;
const QUEUES: u16 = 2_048;

/// Packets one queue may hold before the kernel lets more pass undelayed (`fail-open`).
const QUEUE_LEN: u32 = 16_384;

/// How often the thread looks for packets and for packets due: the delay's resolution.
const TICK: Duration = Duration::from_millis(1);

/// One running delay line; dropping it lets every held packet go and stops the thread.
#[derive(Debug)]
pub(crate) struct DelayLine {
    queue: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl DelayLine {
    /// Binds a free queue and starts holding its packets for `delay`; fails with the reason
    /// when no queue can be bound (not root, no `nfnetlink_queue` in the kernel, all taken).
    pub fn start(delay: Duration) -> Result<Self, String> {
        let (tx, rx) = std::sync::mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let thread_stop = stop.clone();
        let thread = std::thread::Builder::new()
            .name("lt-delay-line".to_owned())
            .spawn(move || match bind() {
                Ok((queue, number)) => {
                    let _ = tx.send(Ok(number));
                    hold(queue, number, delay, &thread_stop);
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                }
            })
            .map_err(|e| format!("cannot start a delay thread: {e}"))?;
        match rx.recv() {
            Ok(Ok(queue)) => Ok(Self {
                queue,
                stop,
                thread: Some(thread),
            }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => {
                let _ = thread.join();
                Err("the delay thread ended before binding a queue".to_owned())
            }
        }
    }

    /// The queue number its firewall rules must send packets to.
    pub fn queue(&self) -> u16 {
        self.queue
    }
}

impl Drop for DelayLine {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Opens a netfilter queue socket and binds the first free queue number.
fn bind() -> Result<(nfq::Queue, u16), String> {
    let mut queue = nfq::Queue::open().map_err(|e| {
        format!("cannot open a netfilter queue socket ({e}): the latency fault needs root")
    })?;
    let mut last = String::new();
    for number in FIRST_QUEUE..FIRST_QUEUE + QUEUES {
        match queue.bind(number) {
            Ok(()) => {
                let configured = queue
                    .set_copy_range(number, 0)
                    .and_then(|()| queue.set_queue_max_len(number, QUEUE_LEN))
                    .and_then(|()| queue.set_fail_open(number, true));
                if let Err(e) = configured {
                    return Err(format!("cannot configure netfilter queue {number}: {e}"));
                }
                queue.set_nonblocking(true);
                return Ok((queue, number));
            }
            Err(e) => last = e.to_string(),
        }
    }
    Err(format!(
        "no free netfilter queue in {FIRST_QUEUE}..{} (last answer: {last})",
        FIRST_QUEUE + QUEUES
    ))
}

/// Holds every packet of `queue` for `delay` until `stop`, then lets the rest go at once.
fn hold(mut queue: nfq::Queue, number: u16, delay: Duration, stop: &AtomicBool) {
    let mut held: VecDeque<(Instant, nfq::Message)> = VecDeque::new();
    let release = |queue: &mut nfq::Queue, mut message: nfq::Message| {
        message.set_verdict(nfq::Verdict::Accept);
        // A packet the kernel has given up on (its queue was flushed) cannot be released.
        let _ = queue.verdict(message);
    };
    while !stop.load(Ordering::Relaxed) {
        loop {
            match queue.recv() {
                Ok(message) => held.push_back((Instant::now() + delay, message)),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                // ENOBUFS and the like: the kernel dropped a message; go on with the rest.
                Err(_) => break,
            }
        }
        let now = Instant::now();
        while held.front().is_some_and(|(due, _)| *due <= now) {
            if let Some((_, message)) = held.pop_front() {
                release(&mut queue, message);
            }
        }
        std::thread::sleep(TICK);
    }
    for (_, message) in held {
        release(&mut queue, message);
    }
    let _ = queue.unbind(number);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Needs root (netlink queues), as the Docker runtime's loss and latency tests do.
    #[test]
    fn each_line_binds_a_queue_of_its_own() {
        let first = DelayLine::start(Duration::from_millis(5)).expect("a queue (as root)");
        let second = DelayLine::start(Duration::from_millis(5)).expect("a second queue");
        assert_ne!(first.queue(), second.queue());
        for line in [&first, &second] {
            assert!((FIRST_QUEUE..FIRST_QUEUE + QUEUES).contains(&line.queue()));
        }
        // While a line holds its queue, nobody else can bind it.
        let mut other = nfq::Queue::open().expect("netlink socket");
        assert!(other.bind(first.queue()).is_err(), "queue bound twice");
    }
}
