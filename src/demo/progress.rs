//! Progress reporting in steps, one user visited by one pass of the build
//! (the build passes over the users a fixed number of times, known before
//! it starts, while the rows it writes are only known at the end): often
//! enough for a smooth bar, rarely enough that reporting costs nothing.

use super::DemoProgress;

/// Steps between two reports.
const STEP: u64 = 10_000;

/// Counts steps against the planned total and reports every `STEP`.
pub(crate) struct Tracker<'a> {
    report: &'a mut dyn FnMut(DemoProgress),
    stage: &'static str,
    done: u64,
    total: u64,
    next: u64,
}

impl<'a> Tracker<'a> {
    pub(crate) fn new(report: &'a mut dyn FnMut(DemoProgress), total: u64) -> Self {
        Tracker {
            report,
            stage: "planning",
            done: 0,
            total,
            next: STEP,
        }
    }

    /// Starts a new stage and reports it at once, so the label changes even
    /// when the stage is short.
    pub(crate) fn stage(&mut self, stage: &'static str) {
        self.stage = stage;
        self.emit();
    }

    /// Counts one step.
    pub(crate) fn step(&mut self) {
        self.done += 1;
        if self.done >= self.next {
            self.next = self.done + STEP;
            self.emit();
        }
    }

    /// Reports the end: everything done.
    pub(crate) fn finish(&mut self) {
        self.done = self.total;
        self.stage = "done";
        self.emit();
    }

    fn emit(&mut self) {
        // The plan counts every pass, so `done` never passes `total`; the
        // max only guards a consumer's progress bar if that ever changes.
        let total = self.total.max(self.done);
        (self.report)(DemoProgress {
            stage: self.stage,
            done: self.done,
            total,
        });
    }
}
