//! Applying an [`Edit`] to a JSON document, a claims map or parameters.

use super::*;
use serde_json::{Map, Value};

/// The current time in seconds, as a JSON number.
fn now_value(shift: i64) -> Value {
    let now = i64::try_from(crate::util::now_secs()).unwrap_or(i64::MAX);
    Value::from(now.saturating_add(shift))
}

/// Split a path into its parent pointer and last member name.
fn split_path(path: &str) -> (String, String) {
    if !path.starts_with('/') {
        return (String::new(), path.to_owned());
    }
    let (parent, last) = path.rsplit_once('/').unwrap_or(("", path));
    let unescape = |s: &str| s.replace("~1", "/").replace("~0", "~");
    (parent.to_owned(), unescape(last))
}

fn lookup<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    if path.starts_with('/') {
        root.pointer(path)
    } else {
        root.get(path)
    }
}

/// Apply `edit` to a JSON document (an object; nested objects by pointer).
pub(crate) fn apply_edit(root: &mut Value, edit: &Edit) {
    let copied = match &edit.change {
        Change::CopyFrom(from) => match lookup(root, from) {
            Some(value) => Some(value.clone()),
            None => return,
        },
        _ => None,
    };
    let (parent, name) = split_path(&edit.path);
    let Some(Value::Object(object)) = (if parent.is_empty() {
        Some(root)
    } else {
        root.pointer_mut(&parent)
    }) else {
        return;
    };
    apply_to_member(object, &name, &edit.change, copied);
}

/// Apply `edit` to a JSON object (claims, header).
pub(crate) fn apply_edit_to_map(map: &mut Map<String, Value>, edit: &Edit) {
    let mut root = Value::Object(std::mem::take(map));
    apply_edit(&mut root, edit);
    if let Value::Object(object) = root {
        *map = object;
    }
}

fn apply_to_member(
    object: &mut Map<String, Value>,
    name: &str,
    change: &Change,
    copied: Option<Value>,
) {
    match change {
        Change::Set(value) => {
            object.insert(name.to_owned(), value.clone());
        }
        Change::Remove => {
            object.remove(name);
        }
        Change::Shift(seconds) => {
            let shifted = match object.get(name).and_then(Value::as_i64) {
                Some(n) => Value::from(n.saturating_add(*seconds)),
                None => match object.get(name).and_then(Value::as_f64) {
                    // Whole seconds are enough for every time claim.
                    #[allow(clippy::cast_precision_loss)]
                    Some(f) => Value::from(f + *seconds as f64),
                    None => now_value(*seconds),
                },
            };
            object.insert(name.to_owned(), shifted);
        }
        Change::CopyFrom(_) => {
            if let Some(value) = copied {
                object.insert(name.to_owned(), value);
            }
        }
    }
}

/// Apply an edit to a list of parameters (authorization responses).
pub(crate) fn apply_param_edit(params: &mut Vec<(String, String)>, edit: &Edit) {
    let as_text = |value: &Value| match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let current = |params: &[(String, String)], name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let new_value = match &edit.change {
        Change::Remove => {
            params.retain(|(n, _)| *n != edit.path);
            return;
        }
        Change::Set(value) => as_text(value),
        Change::Shift(seconds) => {
            let base = current(params, &edit.path)
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or_else(|| i64::try_from(crate::util::now_secs()).unwrap_or(i64::MAX));
            base.saturating_add(*seconds).to_string()
        }
        Change::CopyFrom(from) => match current(params, from) {
            Some(value) => value,
            None => return,
        },
    };
    match params.iter_mut().find(|(n, _)| *n == edit.path) {
        Some((_, value)) => *value = new_value,
        None => params.push((edit.path.clone(), new_value)),
    }
}

// ---- HTTP faults -----------------------------------------------------------
