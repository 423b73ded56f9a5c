//! Changes to a menu's JSON at a place named by a JSON pointer (`/options/0/action/text`): what
//! the menu's visual editor does to the one JSON the server checks, previews and saves.

use serde_json::{Map, Value};

/// The text at `pointer`, or empty (a number is written out).
pub fn text_at(root: &Value, pointer: &str) -> String {
    match root.pointer(pointer) {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        _ => String::new(),
    }
}

/// Whether the value at `pointer` is `true`; `default` when there is none.
pub fn flag_at(root: &Value, pointer: &str, default: bool) -> bool {
    root.pointer(pointer).and_then(Value::as_bool).unwrap_or(default)
}

/// How many items the list at `pointer` has (none: 0).
pub fn len_at(root: &Value, pointer: &str) -> usize {
    root.pointer(pointer).and_then(Value::as_array).map_or(0, Vec::len)
}

/// Puts `value` at `pointer`, making the objects on the way; `None` takes the key away.
pub fn set_at(root: &mut Value, pointer: &str, value: Option<Value>) {
    let steps: Vec<String> = pointer.split('/').skip(1).map(|s| s.replace("~1", "/").replace("~0", "~")).collect();
    let Some((last, way)) = steps.split_last() else {
        if let Some(value) = value {
            *root = value;
        }
        return;
    };
    let mut here = root;
    for step in way {
        here = match here {
            Value::Array(items) => match step.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                Some(item) => item,
                None => return,
            },
            Value::Object(_) | Value::Null => {
                if here.is_null() {
                    *here = Value::Object(Map::new());
                }
                let Value::Object(map) = here else { return };
                map.entry(step.clone()).or_insert_with(|| Value::Object(Map::new()))
            }
            _ => return,
        };
    }
    match (here, value) {
        (Value::Object(map), Some(value)) => {
            map.insert(last.clone(), value);
        }
        (Value::Object(map), None) => {
            map.remove(last);
        }
        (Value::Array(items), value) => {
            let Ok(i) = last.parse::<usize>() else { return };
            match value {
                Some(value) if i < items.len() => items[i] = value,
                None if i < items.len() => {
                    items.remove(i);
                }
                _ => {}
            }
        }
        (here @ Value::Null, Some(value)) => {
            let mut map = Map::new();
            map.insert(last.clone(), value);
            *here = Value::Object(map);
        }
        _ => {}
    }
}

/// Adds `item` at the end of the list at `pointer`, making the list if there is none.
pub fn push_at(root: &mut Value, pointer: &str, item: Value) {
    match root.pointer_mut(pointer) {
        Some(Value::Array(items)) => items.push(item),
        _ => set_at(root, pointer, Some(Value::Array(vec![item]))),
    }
}

/// Swaps items `i` and `j` of the list at `pointer`, when both are there.
pub fn swap_at(root: &mut Value, pointer: &str, i: usize, j: usize) {
    if let Some(Value::Array(items)) = root.pointer_mut(pointer) {
        if i < items.len() && j < items.len() {
            items.swap(i, j);
        }
    }
}

/// The lines of a text as a list of strings, blank lines left out.
pub fn lines_of(text: &str) -> Value {
    Value::Array(
        text.lines().map(str::trim).filter(|line| !line.is_empty()).map(|line| Value::String(line.into())).collect(),
    )
}

/// A list of strings at `pointer`, one per line.
pub fn lines_at(root: &Value, pointer: &str) -> String {
    let items = root.pointer(pointer).and_then(Value::as_array).cloned().unwrap_or_default();
    items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_set_made_on_the_way_and_taken_away_at_their_place() {
        let mut menu =
            json!({ "header": "Hi", "options": [{ "label": "A", "action": { "kind": "text", "text": "x" } }] });
        set_at(&mut menu, "/options/0/action/text", Some(json!("Open 9 to 18")));
        set_at(&mut menu, "/reminder/after_minutes", Some(json!(5)));
        set_at(&mut menu, "/options/0/action/resolve", Some(json!(true)));
        assert_eq!(text_at(&menu, "/options/0/action/text"), "Open 9 to 18");
        assert_eq!(text_at(&menu, "/reminder/after_minutes"), "5");
        assert!(flag_at(&menu, "/options/0/action/resolve", false));
        set_at(&mut menu, "/reminder", None);
        assert_eq!(menu.get("reminder"), None);
        set_at(&mut menu, "/options/7/label", Some(json!("nowhere")));
        assert_eq!(len_at(&menu, "/options"), 1, "an item that is not there is not made up");
    }

    #[test]
    fn lists_grow_swap_and_shrink() {
        let mut menu = json!({ "options": [] });
        push_at(&mut menu, "/options", json!({ "label": "A" }));
        push_at(&mut menu, "/options", json!({ "label": "B" }));
        push_at(&mut menu, "/agent_phrases", json!({ "phrase": "order" }));
        swap_at(&mut menu, "/options", 0, 1);
        swap_at(&mut menu, "/options", 1, 2);
        assert_eq!(text_at(&menu, "/options/0/label"), "B");
        assert_eq!(len_at(&menu, "/agent_phrases"), 1);
        set_at(&mut menu, "/options/0", None);
        assert_eq!(menu["options"], json!([{ "label": "A" }]));
    }

    #[test]
    fn a_list_of_addresses_is_one_per_line() {
        let mut menu = json!({});
        set_at(&mut menu, "/files", Some(lines_of(" https://a.example/1.pdf \n\n/media/x.png\n")));
        assert_eq!(menu["files"], json!(["https://a.example/1.pdf", "/media/x.png"]));
        assert_eq!(lines_at(&menu, "/files"), "https://a.example/1.pdf\n/media/x.png");
    }
}
