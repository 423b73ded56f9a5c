//! Bar charts drawn as SVG with the page (no script draws them): each a figure with its title, a
//! description screen readers read, every bar's value on hover, and the table behind it.

use leptos::prelude::*;

/// One series of bars: its name in the legend and the table, and its colour's class.
#[derive(Clone, Copy)]
pub struct Series {
    pub name: &'static str,
    pub class: &'static str,
}

const HEIGHT: f64 = 140.0;
const BAR: f64 = 10.0;
const GAP: f64 = 8.0;
const LEFT: f64 = 36.0;
const BOTTOM: f64 = 22.0;

/// The largest value, rounded up to a figure a scale reads well (1, 2 or 5 times a power of ten).
fn scale_top(largest: i64) -> i64 {
    let mut step = 1;
    loop {
        for factor in [1, 2, 5] {
            if largest <= step * factor {
                return step * factor;
            }
        }
        step = step.saturating_mul(10);
    }
}

/// `rows`: each group's key (an hour, a day, a name) and one value a series; `id` names the
/// figure for its caption.
#[component]
pub fn BarChart(
    id: &'static str,
    #[prop(into)] title: String,
    series: Vec<Series>,
    rows: Vec<(String, Vec<i64>)>,
    #[prop(into)] table_label: String,
    #[prop(into)] key_label: String,
) -> impl IntoView {
    let largest = rows.iter().flat_map(|(_, values)| values.iter().copied()).max().unwrap_or(0).max(1);
    let top = scale_top(largest);
    let group = series.len() as f64 * BAR + GAP;
    let width = LEFT + rows.len() as f64 * group + GAP;
    let total = HEIGHT + BOTTOM;
    let y_of = |value: i64| HEIGHT - (value as f64 / top as f64) * (HEIGHT - 10.0);
    // Label every key when they fit, else about a dozen of them.
    let label_every = rows.len().div_ceil(12).max(1);
    let description = rows
        .iter()
        .map(|(key, values)| {
            let values: Vec<String> =
                series.iter().zip(values).map(|(series, value)| format!("{} {value}", series.name)).collect();
            format!("{key}: {}", values.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ");
    let bars = rows
        .iter()
        .enumerate()
        .map(|(index, (key, values))| {
            let x = LEFT + GAP + index as f64 * group;
            let bars = series
                .iter()
                .zip(values.iter().copied())
                .enumerate()
                .map(|(n, (series, value))| {
                    let y = y_of(value);
                    view! {
                        <rect class=series.class x=x + n as f64 * BAR y=y width=BAR - 1.0 height=HEIGHT - y>
                            <title>{format!("{key} · {}: {value}", series.name)}</title>
                        </rect>
                    }
                })
                .collect_view();
            let label = (index % label_every == 0).then(|| {
                // A day's label without its year (the table behind says it).
                let day = key.len() == 10 && key.as_bytes().get(4) == Some(&b'-');
                let label = if day { key[5..].to_string() } else { key.clone() };
                view! { <text class="chart-key" x=x y=HEIGHT + 14.0>{label}</text> }
            });
            view! { <g>{bars}{label}</g> }
        })
        .collect_view();
    let title_id = format!("{id}-title");
    let description_id = format!("{id}-description");
    let labelled_by = format!("{title_id} {description_id}");
    let head = series.iter().map(|series| view! { <th scope="col">{series.name}</th> }).collect_view();
    let body = rows
        .iter()
        .map(|(key, values)| {
            view! {
                <tr>
                    <th scope="row">{key.clone()}</th>
                    {values.iter().map(|value| view! { <td>{*value}</td> }).collect_view()}
                </tr>
            }
        })
        .collect_view();
    view! {
        <figure class="chart" aria-labelledby=title_id.clone()>
            <figcaption id=title_id.clone()>{title.clone()}</figcaption>
            <p class="chart-legend">
                {series.iter().map(|series| view! { <span class=format!("swatch {}", series.class)>{series.name}</span> }).collect_view()}
            </p>
            <div class="chart-area">
                <svg role="img" aria-labelledby=labelled_by viewBox=format!("0 0 {width} {total}")
                    preserveAspectRatio="xMinYMin meet">
                    <title id=description_id>{description}</title>
                    <line class="chart-axis" x1=LEFT y1=HEIGHT x2=width y2=HEIGHT />
                    <text class="chart-scale" x=LEFT - 4.0 y=y_of(top) + 4.0 text-anchor="end">{top}</text>
                    <text class="chart-scale" x=LEFT - 4.0 y=HEIGHT text-anchor="end">"0"</text>
                    {bars}
                </svg>
            </div>
            <details>
                <summary>{table_label.clone()}</summary>
                <table aria-label=format!("{title} — {table_label}")>
                    <thead><tr><th scope="col">{key_label}</th>{head}</tr></thead>
                    <tbody>{body}</tbody>
                </table>
            </details>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::scale_top;

    #[test]
    fn the_scale_tops_at_a_round_figure_at_or_above_the_largest_bar() {
        for (largest, top) in [(1, 1), (2, 2), (3, 5), (7, 10), (11, 20), (40, 50), (51, 100), (1_234, 2_000)] {
            assert_eq!(scale_top(largest), top, "{largest}");
        }
    }
}
