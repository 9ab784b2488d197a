//! Progress of long imports and exports: a bar on a terminal (on standard error, so reports on
//! standard output stay clean), plain lines otherwise (logs, pipes, CI).

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// A progress display over `total` items.
pub struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    done: std::cell::Cell<u64>,
    label: &'static str,
}

impl Progress {
    /// Starts one: a bar when standard error is a terminal.
    pub fn new(total: u64, label: &'static str) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total);
            if let Ok(style) =
                ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} 行，约剩 {eta}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(label);
            bar
        });
        Progress {
            bar,
            total,
            done: std::cell::Cell::new(0),
            label,
        }
    }

    /// `n` more items are done.
    pub fn advance(&self, n: u64) {
        let done = self.done.get() + n;
        self.done.set(done);
        match &self.bar {
            Some(bar) => bar.set_position(done),
            None if self.total > 1000 => eprintln!("{}：{done}/{} 行", self.label, self.total),
            None => {}
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
