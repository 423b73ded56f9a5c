//! `POST /test/clock`: moves the business's clock forward, for browser tests of figures that
//! depend on time passing. Mounted only when the server starts with `--test-clock true`.

use crate::clock::{Clock, ShiftedClock};
use crate::error::AppError;
use crate::state::AppState;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;

/// At most a year per request: enough for any test, and no overflow of the clock.
const LONGEST_STEP_SECONDS: i64 = 366 * 24 * 3600;

#[derive(Deserialize)]
struct Step {
    advance_seconds: i64,
}

pub fn router(clock: ShiftedClock) -> Router<AppState> {
    Router::new().route(
        "/test/clock",
        post(move |Json(step): Json<Step>| async move {
            if !(0..=LONGEST_STEP_SECONDS).contains(&step.advance_seconds) {
                return Err(AppError::Invalid(format!(
                    "advance_seconds is from 0 to {LONGEST_STEP_SECONDS}: the clock only moves forward"
                )));
            }
            clock.advance(chrono::Duration::seconds(step.advance_seconds));
            tracing::warn!(seconds = step.advance_seconds, now = %clock.now(), "test clock moved forward");
            Ok(Json(serde_json::json!({ "now": clock.now().to_rfc3339() })))
        }),
    )
}
