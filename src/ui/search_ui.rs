//! The search screen's state and the search domain's answers.

use crate::app::Command;
use crate::app::domain::search::SearchReply;

impl super::AtlasApp {
    pub(super) fn on_search(&mut self, reply: SearchReply) -> Vec<Command> {
        let _ = reply;
        Vec::new()
    }
}
