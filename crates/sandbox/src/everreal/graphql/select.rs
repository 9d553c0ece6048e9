//! Selection sets: gathering a set's fields (fragments, `@skip`/`@include`), checking them
//! against the schema, and cutting a record down to what was selected, relations included.

use std::collections::{HashMap, HashSet};

use graphql_parser::Pos;
use graphql_parser::query::{
    Directive, Field, FragmentDefinition, Selection, SelectionSet, TypeCondition,
};
use serde_json::{Map, Value};

use super::schema::{self, Ty};
use super::{GqlError, VALIDATION_FAILED, to_json};
use crate::everreal::data::{Collection, Data, Row};

/// Fragments deeper than this are taken for a cycle.
const MAX_DEPTH: usize = 32;

/// What a selection needs besides itself: the document's fragments and the variables.
pub(crate) struct Context<'a> {
    pub(crate) fragments: HashMap<&'a str, &'a FragmentDefinition<'a, &'a str>>,
    pub(crate) variables: Map<String, Value>,
    pub(crate) defined: HashSet<&'a str>,
}

/// The fields of a selection set grouped by response key (alias or name), in order; fields
/// that share a key are merged, as GraphQL does.
pub(crate) type Groups<'a> = Vec<(&'a str, Vec<&'a Field<'a, &'a str>>)>;

impl<'a> Context<'a> {
    /// Whether `@skip`/`@include` let a selection through.
    fn included(
        &self,
        directives: &'a [Directive<'a, &'a str>],
        errors: &mut Vec<GqlError>,
    ) -> bool {
        let mut included = true;
        for directive in directives {
            if !matches!(directive.name, "skip" | "include") {
                errors.push(GqlError::at(
                    format!("Unknown directive \"@{}\".", directive.name),
                    directive.position,
                    VALIDATION_FAILED,
                ));
                continue;
            }
            let condition = directive
                .arguments
                .iter()
                .find(|(name, _)| *name == "if")
                .map(|(_, value)| to_json(self, value, directive.position, errors));
            let Some(Value::Bool(condition)) = condition else {
                errors.push(GqlError::at(
                    format!(
                        "Directive \"@{}\" needs a Boolean argument \"if\".",
                        directive.name
                    ),
                    directive.position,
                    VALIDATION_FAILED,
                ));
                continue;
            };
            if directive.name == "skip" {
                included &= !condition;
            } else {
                included &= condition;
            }
        }
        included
    }

    /// Gathers the fields of `sets` that apply to `type_name`.
    pub(crate) fn collect(
        &self,
        type_name: &str,
        sets: &[&'a SelectionSet<'a, &'a str>],
        errors: &mut Vec<GqlError>,
    ) -> Groups<'a> {
        let mut groups: Groups<'a> = Vec::new();
        for set in sets {
            self.collect_into(type_name, set, &mut groups, errors, 0);
        }
        groups
    }

    fn collect_into(
        &self,
        type_name: &str,
        set: &'a SelectionSet<'a, &'a str>,
        groups: &mut Groups<'a>,
        errors: &mut Vec<GqlError>,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            errors.push(GqlError::at(
                "Fragments are nested too deep (a cycle?).".into(),
                set.span.0,
                VALIDATION_FAILED,
            ));
            return;
        }
        for item in &set.items {
            match item {
                Selection::Field(field) => {
                    if !self.included(&field.directives, errors) {
                        continue;
                    }
                    let key = field.alias.unwrap_or(field.name);
                    match groups.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, fields)) => fields.push(field),
                        None => groups.push((key, vec![field])),
                    }
                }
                Selection::FragmentSpread(spread) => {
                    if !self.included(&spread.directives, errors) {
                        continue;
                    }
                    let Some(fragment) = self.fragments.get(spread.fragment_name) else {
                        errors.push(GqlError::at(
                            format!("Unknown fragment \"{}\".", spread.fragment_name),
                            spread.position,
                            VALIDATION_FAILED,
                        ));
                        continue;
                    };
                    let TypeCondition::On(on) = fragment.type_condition;
                    if self.applies(on, type_name, fragment.position, errors) {
                        self.collect_into(
                            type_name,
                            &fragment.selection_set,
                            groups,
                            errors,
                            depth + 1,
                        );
                    }
                }
                Selection::InlineFragment(inline) => {
                    if !self.included(&inline.directives, errors) {
                        continue;
                    }
                    let applies = match &inline.type_condition {
                        None => true,
                        Some(TypeCondition::On(on)) => {
                            self.applies(on, type_name, inline.position, errors)
                        }
                    };
                    if applies {
                        self.collect_into(
                            type_name,
                            &inline.selection_set,
                            groups,
                            errors,
                            depth + 1,
                        );
                    }
                }
            }
        }
    }

    /// Whether a fragment on `on` applies to `type_name` (the schema has no interfaces).
    fn applies(&self, on: &str, type_name: &str, pos: Pos, errors: &mut Vec<GqlError>) -> bool {
        let known = schema::fields(on).is_some() || matches!(on, "Query" | "Mutation");
        if !known {
            errors.push(GqlError::at(
                format!("Unknown type \"{on}\"."),
                pos,
                VALIDATION_FAILED,
            ));
            return false;
        }
        on == type_name
    }

    /// Checks `groups` against object type `type_name`; errors name their path.
    pub(crate) fn validate(
        &self,
        type_name: &str,
        groups: &Groups<'a>,
        path: &[Value],
        errors: &mut Vec<GqlError>,
    ) {
        for (key, fields) in groups {
            let first = fields[0];
            let mut here = path.to_vec();
            here.push(Value::from(*key));
            if fields.iter().any(|f| f.name != first.name) {
                errors.push(
                    GqlError::at(
                        format!("Fields \"{key}\" conflict because they select different fields."),
                        first.position,
                        VALIDATION_FAILED,
                    )
                    .path(here.clone()),
                );
                continue;
            }
            let sets: Vec<_> = fields
                .iter()
                .map(|f| &f.selection_set)
                .filter(|s| !s.items.is_empty())
                .collect();
            if first.name == "__typename" {
                if !sets.is_empty() {
                    errors.push(no_subfields(first, "String", here));
                }
                continue;
            }
            let Some(ty) = schema::field(type_name, first.name) else {
                errors.push(
                    GqlError::at(
                        format!(
                            "Cannot query field \"{}\" on type \"{type_name}\".",
                            first.name
                        ),
                        first.position,
                        VALIDATION_FAILED,
                    )
                    .path(here),
                );
                continue;
            };
            for field in fields {
                if let Some((argument, _)) = field.arguments.first() {
                    errors.push(
                        GqlError::at(
                            format!(
                                "Unknown argument \"{argument}\" on field \"{type_name}.{}\".",
                                field.name
                            ),
                            field.position,
                            VALIDATION_FAILED,
                        )
                        .path(here.clone()),
                    );
                }
            }
            match ty.object_type() {
                Some(inner) if sets.is_empty() => errors.push(needs_subfields(first, inner, here)),
                Some(inner) => {
                    let groups = self.collect(inner, &sets, errors);
                    self.validate(inner, &groups, &here, errors);
                }
                None if !sets.is_empty() => {
                    let label = if ty == Ty::Json { "JSON" } else { "a scalar" };
                    errors.push(no_subfields(first, label, here));
                }
                None => {}
            }
        }
    }

    /// `row` (a record of `type_name`) cut down to `groups`; call after [`Context::validate`].
    pub(crate) fn project(
        &self,
        data: &Data,
        type_name: &str,
        row: &Row,
        groups: &Groups<'a>,
    ) -> Value {
        let mut out = Map::new();
        for (key, fields) in groups {
            let name = fields[0].name;
            let value = if name == "__typename" {
                Value::from(type_name)
            } else {
                match schema::field(type_name, name) {
                    Some(ty) => self.resolve(data, ty, row, fields),
                    None => Value::Null,
                }
            };
            out.insert((*key).to_owned(), value);
        }
        Value::Object(out)
    }

    fn resolve(&self, data: &Data, ty: Ty, row: &Row, fields: &[&'a Field<'a, &'a str>]) -> Value {
        let nested = |inner: &str| {
            let sets: Vec<_> = fields.iter().map(|f| &f.selection_set).collect();
            // Errors were reported by `validate`; the same walk cannot find new ones.
            self.collect(inner, &sets, &mut Vec::new())
        };
        let linked = |inner: &str, id: &Value| {
            let collection = Collection::of_type(inner)?;
            data.find(collection, id.as_str()?)
        };
        match ty {
            Ty::Scalar | Ty::Json => row.get(fields[0].name).cloned().unwrap_or(Value::Null),
            Ty::Object(inner) => match row.get(fields[0].name) {
                Some(Value::Object(object)) => self.project(data, inner, object, &nested(inner)),
                _ => Value::Null,
            },
            Ty::Objects(inner) => match row.get(fields[0].name) {
                Some(Value::Array(items)) => {
                    let groups = nested(inner);
                    Value::Array(
                        items
                            .iter()
                            .filter_map(Value::as_object)
                            .map(|o| self.project(data, inner, o, &groups))
                            .collect(),
                    )
                }
                _ => Value::Null,
            },
            Ty::Link(inner, by) => match row.get(by).and_then(|id| linked(inner, id)) {
                Some(target) => self.project(data, inner, target, &nested(inner)),
                None => Value::Null,
            },
            Ty::Links(inner, by) => {
                let groups = nested(inner);
                let ids = row
                    .get(by)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                Value::Array(
                    ids.iter()
                        .filter_map(|id| linked(inner, id))
                        .map(|target| self.project(data, inner, target, &groups))
                        .collect(),
                )
            }
        }
    }
}

fn needs_subfields<'a>(field: &Field<'a, &'a str>, inner: &str, path: Vec<Value>) -> GqlError {
    GqlError::at(
        format!(
            "Field \"{}\" of type \"{inner}\" must have a selection of subfields. Did you mean \"{} {{ ... }}\"?",
            field.name, field.name
        ),
        field.position,
        VALIDATION_FAILED,
    )
    .path(path)
}

fn no_subfields<'a>(field: &Field<'a, &'a str>, label: &str, path: Vec<Value>) -> GqlError {
    GqlError::at(
        format!(
            "Field \"{}\" must not have a selection since type {label} has no subfields.",
            field.name
        ),
        field.position,
        VALIDATION_FAILED,
    )
    .path(path)
}
