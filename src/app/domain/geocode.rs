//! Address matching: place every insured person at a 街区 or small area, the match rates
//! of the last run, and the addresses that were not placed.

use super::{Audited, Cx, Domain};
use crate::app::error::AppError;
use crate::app::spec::Spec;
use crate::audit::Action;
use crate::auth::Right;
use crate::geocode::{GeocodeReport, Unmatched};

#[derive(Debug, Clone)]
pub enum GeocodeCmd {
    /// Match every insured person's address to a point and small area.
    Geocode,
    /// The match rates stored by the last run.
    GeocodeStatus,
    /// The addresses not placed at 街区 level (personal data: shown, never logged).
    Unmatched { limit: usize },
}

#[derive(Debug)]
pub enum GeocodeReply {
    Geocoded(GeocodeReport),
    /// The match rates of the last run.
    Status(GeocodeReport),
    Unmatched(Vec<Unmatched>),
}

impl Domain for GeocodeCmd {
    type Reply = GeocodeReply;

    fn spec(&self) -> Spec {
        match self {
            GeocodeCmd::Geocode => Spec::login("住所照合")
                .right(Right::Import, Action::Import, "insured_locations")
                .logged(),
            GeocodeCmd::GeocodeStatus => Spec::login("照合率の表示"),
            GeocodeCmd::Unmatched { .. } => Spec::login("未照合住所の表示")
                .right(
                    Right::ViewPersonal,
                    Action::ViewPersonal,
                    "unmatched_addresses",
                )
                .logged(),
        }
    }

    fn run(self, cx: &mut Cx<'_>) -> Result<GeocodeReply, AppError> {
        let store = cx.store;
        Ok(match self {
            GeocodeCmd::Geocode => GeocodeReply::Geocoded(crate::geocode::run(
                store,
                &Default::default(),
                cx.progress,
            )?),
            GeocodeCmd::GeocodeStatus => {
                GeocodeReply::Status(crate::geocode::report(store.conn())?)
            }
            GeocodeCmd::Unmatched { limit } => {
                GeocodeReply::Unmatched(crate::geocode::unmatched(store.conn(), limit)?)
            }
        })
    }

    fn audited(reply: &GeocodeReply) -> Option<Audited> {
        Some(match reply {
            GeocodeReply::Geocoded(r) => Audited::rows(r.total.total()),
            GeocodeReply::Unmatched(rows) => Audited::rows(rows.len() as u64),
            _ => Audited::default(),
        })
    }
}
