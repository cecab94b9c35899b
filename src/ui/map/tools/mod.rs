//! The map tools. Identify (属性) now; measure, select and draw will come here, each a
//! file with its state in [`super::state::ToolsState`].

pub(crate) mod identify;
