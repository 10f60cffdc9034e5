//! --follow writes nothing while nothing happens, so a reader that went away
//! (`| head` done) would be noticed only at the next event, which may be
//! hours off. A thread waits on the pipe instead: the write end of a pipe
//! reports POLLERR once its last reader closed, without writing anything.

/// Call `on_gone` once the reader of the pipe or FIFO `fd` is gone. Nothing
/// for anything else (a file, a terminal: a hung-up terminal sends SIGHUP).
/// The thread is not joined: it ends with the process.
#[cfg(unix)]
pub(crate) fn watch(fd: i32, on_gone: impl FnOnce() + Send + 'static) {
    // SAFETY: fstat writes only into the zeroed struct it is given.
    let is_pipe = unsafe {
        let mut stat: libc::stat = std::mem::zeroed();
        libc::fstat(fd, &mut stat) == 0 && (stat.st_mode & libc::S_IFMT) == libc::S_IFIFO
    };
    if !is_pipe {
        return;
    }
    let spawned = std::thread::Builder::new()
        .name("reader-gone".into())
        .spawn(move || {
            loop {
                // Events 0: only POLLERR, POLLHUP and POLLNVAL are reported.
                let mut poll = libc::pollfd {
                    fd,
                    events: 0,
                    revents: 0,
                };
                // SAFETY: one pollfd, owned by this frame.
                let n = unsafe { libc::poll(&mut poll, 1, -1) };
                if n < 0 {
                    if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                        continue;
                    }
                    return;
                }
                if poll.revents & (libc::POLLERR | libc::POLLHUP) != 0 {
                    on_gone();
                }
                return;
            }
        });
    // Without the thread a closed reader is noticed at the next write, as before.
    drop(spawned);
}

#[cfg(not(unix))]
pub(crate) fn watch(_fd: i32, _on_gone: impl FnOnce() + Send + 'static) {}
