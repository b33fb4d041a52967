//! [`WeRunData`], the step counts from `wx.getWeRunData`.

use serde::{Deserialize, Serialize};

use super::Members;

/// WeRun step counts, from `wx.getWeRunData`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WeRunData {
    /// One entry a day, oldest first (WeChat sends the last 31 days).
    pub step_info_list: Vec<StepInfo>,
}

/// One day of WeRun data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub struct StepInfo {
    /// Midnight of the day, in Unix seconds.
    pub timestamp: u64,
    /// Steps walked that day.
    pub step: u64,
}

impl Members for WeRunData {
    const REQUIRED: &'static [&'static str] = &["stepInfoList"];
    const OPTIONAL: &'static [&'static str] = &[];
}
