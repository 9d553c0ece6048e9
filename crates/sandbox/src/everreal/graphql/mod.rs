//! `POST /api/reporting/graphql`: `{query, variables?, operationName?}` parsed with
//! `graphql-parser`, checked against the sandbox's part of the schema, and run over the seeded
//! tenant. Answers are HTTP 200 with `{data}` or `{errors, data}`, errors in the standard
//! shape `{message, locations, path, extensions: {code}}` with Apollo's codes; a request that
//! is not valid as a whole (syntax, validation, variables, arguments) runs nothing and answers
//! `data: null`.

mod inputs;
mod schema;
mod select;

use std::collections::{HashMap, HashSet};

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use graphql_parser::Pos;
use graphql_parser::query::{
    Definition, Document, Field, OperationDefinition, SelectionSet, Type, VariableDefinition,
    parse_query,
};
use serde_json::{Map, Value, json};

use self::inputs::{ListArgs, upsert_input};
use self::schema::{Root, mutation_root, query_root, root_type};
use self::select::{Context, Groups};
use super::data::{Collection, public};
use super::delivery::enqueue;
use super::{Shared, State as VendorState};

/// The query does not parse.
const PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
/// The query asks for something the schema does not have.
pub(crate) const VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
/// A variable or argument value does not fit its type, or a record it names is missing.
const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
/// `operationName` names no operation, or several operations and no name.
const OPERATION_RESOLUTION_FAILURE: &str = "OPERATION_RESOLUTION_FAILURE";
/// The HTTP body is not a GraphQL request.
const BAD_REQUEST: &str = "BAD_REQUEST";

/// One entry of `errors`.
#[derive(Debug)]
pub(crate) struct GqlError {
    message: String,
    position: Option<Pos>,
    path: Vec<Value>,
    code: &'static str,
}

impl GqlError {
    fn new(message: impl Into<String>, code: &'static str) -> Self {
        Self {
            message: message.into(),
            position: None,
            path: Vec::new(),
            code,
        }
    }

    /// An error at `position` of the query.
    pub(crate) fn at(message: String, position: Pos, code: &'static str) -> Self {
        Self {
            position: Some(position),
            ..Self::new(message, code)
        }
    }

    /// The same error for the response path `path`.
    pub(crate) fn path(mut self, path: Vec<Value>) -> Self {
        self.path = path;
        self
    }

    fn json(&self) -> Value {
        let mut error = json!({"message": self.message, "extensions": {"code": self.code}});
        if let Some(position) = self.position {
            error["locations"] = json!([{"line": position.line, "column": position.column}]);
        }
        if !self.path.is_empty() {
            error["path"] = Value::Array(self.path.clone());
        }
        error
    }
}

/// `{"errors": [...], "data": data}`.
fn failure(errors: &[GqlError], data: Value) -> Value {
    json!({"errors": errors.iter().map(GqlError::json).collect::<Vec<_>>(), "data": data})
}

/// The handler.
pub(crate) async fn handle(State(state): State<Shared>, body: Bytes) -> Response {
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let Some(query) = request
        .get("query")
        .and_then(Value::as_str)
        .filter(|q| !q.trim().is_empty())
    else {
        let error = GqlError::new(
            "POST a JSON body {\"query\": \"...\", \"variables\": {...}, \"operationName\": \"...\"} with a non-empty query",
            BAD_REQUEST,
        );
        return (
            StatusCode::BAD_REQUEST,
            Json(failure(&[error], Value::Null)),
        )
            .into_response();
    };
    let variables = match request.get("variables") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(variables)) => variables.clone(),
        Some(_) => {
            let error = GqlError::new("variables must be a JSON object", BAD_USER_INPUT);
            return Json(failure(&[error], Value::Null)).into_response();
        }
    };
    let operation_name = match request.get("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name.as_str()),
        Some(_) => {
            let error = GqlError::new("operationName must be a string", BAD_REQUEST);
            return (
                StatusCode::BAD_REQUEST,
                Json(failure(&[error], Value::Null)),
            )
                .into_response();
        }
    };
    Json(run(&state, query, variables, operation_name)).into_response()
}

/// One root field, checked and ready to run.
enum Step<'a> {
    Typename(&'a str),
    List(ListArgs),
    Upsert(Map<String, Value>),
    Delete(Option<String>),
}

/// Parses, checks and runs one request; the whole answer.
fn run(
    state: &VendorState,
    query: &str,
    variables: Map<String, Value>,
    operation_name: Option<&str>,
) -> Value {
    let document: Document<'_, &str> = match parse_query(query) {
        Ok(document) => document,
        Err(e) => {
            let message = e.to_string();
            let message = message
                .strip_prefix("query parse error: ")
                .unwrap_or(&message);
            let error = GqlError::new(format!("Syntax Error: {}", message.trim()), PARSE_FAILED);
            return failure(&[error], Value::Null);
        }
    };
    let mut fragments = HashMap::new();
    let mut operations = Vec::new();
    for definition in &document.definitions {
        match definition {
            Definition::Fragment(fragment) => {
                fragments.insert(fragment.name, fragment);
            }
            Definition::Operation(operation) => operations.push(operation),
        }
    }
    fn named<'a>(op: &OperationDefinition<'a, &'a str>) -> Option<&'a str> {
        match op {
            OperationDefinition::Query(q) => q.name,
            OperationDefinition::Mutation(m) => m.name,
            OperationDefinition::Subscription(s) => s.name,
            OperationDefinition::SelectionSet(_) => None,
        }
    }
    let operation = match operation_name {
        Some(name) => operations.iter().find(|op| named(op) == Some(name)),
        None if operations.len() == 1 => operations.first(),
        None => {
            let error = GqlError::new(
                "Must provide operation name if query contains multiple operations.",
                OPERATION_RESOLUTION_FAILURE,
            );
            return failure(&[error], Value::Null);
        }
    };
    let Some(operation) = operation else {
        let error = GqlError::new(
            format!(
                "Unknown operation named \"{}\".",
                operation_name.unwrap_or_default()
            ),
            OPERATION_RESOLUTION_FAILURE,
        );
        return failure(&[error], Value::Null);
    };
    let (root_name, definitions, set): (
        &str,
        &[VariableDefinition<'_, &str>],
        &SelectionSet<'_, &str>,
    ) = match operation {
        OperationDefinition::SelectionSet(set) => ("Query", &[], set),
        OperationDefinition::Query(q) => ("Query", &q.variable_definitions, &q.selection_set),
        OperationDefinition::Mutation(m) => ("Mutation", &m.variable_definitions, &m.selection_set),
        OperationDefinition::Subscription(s) => {
            let error = GqlError::at(
                "Subscriptions are not supported.".into(),
                s.position,
                VALIDATION_FAILED,
            );
            return failure(&[error], Value::Null);
        }
    };
    let mut errors = Vec::new();
    let variables = coerce_variables(definitions, &variables, &mut errors);
    let context = Context {
        fragments,
        variables,
        defined: definitions.iter().map(|d| d.name).collect(),
    };
    let groups = context.collect(root_name, &[set], &mut errors);
    let mut steps = Vec::new();
    for (key, fields) in &groups {
        if let Some(step) = plan(&context, root_name, key, fields, &mut errors) {
            steps.push((*key, fields, step));
        }
    }
    if !errors.is_empty() {
        return failure(&errors, Value::Null);
    }
    let mut data = Map::new();
    let now = state.clock.now_unix();
    let mut store = state.data();
    for (key, fields, step) in steps {
        let root = if root_name == "Query" {
            query_root(fields[0].name)
        } else {
            mutation_root(fields[0].name)
        };
        let sets: Vec<_> = fields.iter().map(|f| &f.selection_set).collect();
        let value = match (step, root) {
            (Step::Typename(name), _) => json!(name),
            (Step::List(args), Some(Root::List(type_name, _))) => {
                let groups = context.collect(type_name, &sets, &mut Vec::new());
                let collection = Collection::of_type(type_name).unwrap_or(Collection::Units);
                Value::Array(
                    args.run(&store, collection)
                        .iter()
                        .map(|row| context.project(&store, type_name, row, &groups))
                        .collect(),
                )
            }
            (Step::Upsert(input), Some(Root::Upsert(type_name, _))) => {
                let outcome = match type_name {
                    "Owner" => store.upsert_owner(&input, now),
                    "Property" => store.upsert_property(&input, now),
                    "Unit" => store.upsert_unit(&input, now),
                    _ => store.upsert_tenant(&input, now),
                };
                match outcome {
                    Ok((row, created)) => {
                        let event = match type_name {
                            "Owner" => Some("OWNER"),
                            "Property" => Some("PROPERTY"),
                            "Unit" => Some("UNIT"),
                            _ => None,
                        };
                        if let Some(event) = event {
                            let change = if created { "CREATED" } else { "UPDATED" };
                            enqueue(state, &format!("{event}_{change}"), public(&row));
                        }
                        let groups = context.collect(type_name, &sets, &mut Vec::new());
                        context.project(&store, type_name, &row, &groups)
                    }
                    Err(message) => {
                        errors.push(
                            GqlError::at(message, fields[0].position, BAD_USER_INPUT)
                                .path(vec![json!(key)]),
                        );
                        Value::Null
                    }
                }
            }
            (Step::Delete(external), Some(Root::Delete(type_name))) => {
                let collection = Collection::of_type(type_name).unwrap_or(Collection::Units);
                let detached = external.and_then(|e| store.detach(collection, &e, now));
                if let Some(row) = &detached
                    && type_name != "Tenant"
                {
                    enqueue(
                        state,
                        &format!("{}_DELETED", type_name.to_ascii_uppercase()),
                        public(row),
                    );
                }
                if type_name == "Tenant" {
                    let answer = if detached.is_some() {
                        json!({"statusCode": 200, "message": "Tenant detached from the integration"})
                    } else {
                        json!({"statusCode": 404, "message": "Tenant not found"})
                    };
                    let groups = context.collect("AsyncEventResponse", &sets, &mut Vec::new());
                    let row = answer.as_object().cloned().unwrap_or_default();
                    context.project(&store, "AsyncEventResponse", &row, &groups)
                } else {
                    json!(detached.is_some())
                }
            }
            _ => Value::Null,
        };
        data.insert(key.to_owned(), value);
    }
    drop(store);
    if errors.is_empty() {
        json!({"data": data})
    } else {
        failure(&errors, Value::Object(data))
    }
}

/// Checks one root field and its arguments.
fn plan<'a>(
    context: &Context<'a>,
    root_name: &str,
    key: &str,
    fields: &[&'a Field<'a, &'a str>],
    errors: &mut Vec<GqlError>,
) -> Option<Step<'a>> {
    let field = fields[0];
    let path = vec![json!(key)];
    if field.name == "__typename" {
        return Some(Step::Typename(if root_name == "Query" {
            "Query"
        } else {
            "Mutation"
        }));
    }
    let root = if root_name == "Query" {
        query_root(field.name)
    } else {
        mutation_root(field.name)
    };
    let Some(root) = root else {
        errors.push(
            GqlError::at(
                format!(
                    "Cannot query field \"{}\" on type \"{root_name}\".",
                    field.name
                ),
                field.position,
                VALIDATION_FAILED,
            )
            .path(path),
        );
        return None;
    };
    if fields.iter().any(|f| f.name != field.name) {
        errors.push(
            GqlError::at(
                format!("Fields \"{key}\" conflict because they select different fields."),
                field.position,
                VALIDATION_FAILED,
            )
            .path(path),
        );
        return None;
    }
    let allowed: &[&str] = match &root {
        Root::List(..) => &["input"],
        Root::Upsert(_, argument) => std::slice::from_ref(argument),
        Root::Delete(_) => &["externalId"],
    };
    let mut arguments = Map::new();
    for (name, value) in &field.arguments {
        if !allowed.contains(name) {
            errors.push(
                GqlError::at(
                    format!(
                        "Unknown argument \"{name}\" on field \"{root_name}.{}\".",
                        field.name
                    ),
                    field.position,
                    VALIDATION_FAILED,
                )
                .path(path.clone()),
            );
            continue;
        }
        arguments.insert(
            (*name).to_owned(),
            to_json(context, value, field.position, errors),
        );
    }
    let sets: Vec<_> = fields
        .iter()
        .map(|f| &f.selection_set)
        .filter(|s| !s.items.is_empty())
        .collect();
    match root_type(root) {
        Some(type_name) if sets.is_empty() => {
            errors.push(
                GqlError::at(
                    format!(
                        "Field \"{}\" of type \"{type_name}\" must have a selection of subfields. Did you mean \"{} {{ ... }}\"?",
                        field.name, field.name
                    ),
                    field.position,
                    VALIDATION_FAILED,
                )
                .path(path.clone()),
            );
        }
        Some(type_name) => {
            let groups: Groups<'a> = context.collect(type_name, &sets, errors);
            context.validate(type_name, &groups, &path, errors);
        }
        None if !sets.is_empty() => errors.push(
            GqlError::at(
                format!(
                    "Field \"{}\" must not have a selection since type \"Boolean\" has no subfields.",
                    field.name
                ),
                field.position,
                VALIDATION_FAILED,
            )
            .path(path.clone()),
        ),
        None => {}
    }
    let argument_error =
        |message: String| GqlError::at(message, field.position, BAD_USER_INPUT).path(path.clone());
    let null = Value::Null;
    match root {
        Root::List(type_name, filter_type) => {
            let input = arguments.get("input").unwrap_or(&null);
            match ListArgs::read(type_name, filter_type, input) {
                Ok(args) => Some(Step::List(args)),
                Err(message) => {
                    errors.push(argument_error(message));
                    None
                }
            }
        }
        Root::Upsert(type_name, argument) => {
            let input = arguments.get(argument).unwrap_or(&null);
            if input.is_null() {
                errors.push(argument_error(format!(
                    "Field \"{}\" argument \"{argument}\" of type \"{type_name}Input!\" is required, but it was not provided.",
                    field.name
                )));
                return None;
            }
            match upsert_input(type_name, input) {
                Ok(input) => Some(Step::Upsert(input)),
                Err(message) => {
                    errors.push(argument_error(message));
                    None
                }
            }
        }
        Root::Delete(_) => match arguments.get("externalId").unwrap_or(&null) {
            Value::Null => Some(Step::Delete(None)),
            Value::String(external) => Some(Step::Delete(Some(external.clone()))),
            other => {
                errors.push(argument_error(format!(
                    "String cannot represent a non string value: {other}"
                )));
                None
            }
        },
    }
}

/// A literal or variable as JSON; enum values become strings. An undefined variable is an
/// error (and `null`).
pub(crate) fn to_json<'a>(
    context: &Context<'_>,
    value: &graphql_parser::query::Value<'a, &'a str>,
    position: Pos,
    errors: &mut Vec<GqlError>,
) -> Value {
    use graphql_parser::query::Value as V;
    match value {
        V::Variable(name) => {
            if !context.defined.contains(name) {
                errors.push(GqlError::at(
                    format!("Variable \"${name}\" is not defined."),
                    position,
                    VALIDATION_FAILED,
                ));
            }
            context.variables.get(*name).cloned().unwrap_or(Value::Null)
        }
        V::Int(n) => n.as_i64().map_or(Value::Null, Value::from),
        V::Float(f) => json!(f),
        V::String(s) => json!(s),
        V::Boolean(b) => json!(b),
        V::Null => Value::Null,
        V::Enum(e) => json!(e),
        V::List(items) => Value::Array(
            items
                .iter()
                .map(|item| to_json(context, item, position, errors))
                .collect(),
        ),
        V::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| ((*k).to_owned(), to_json(context, v, position, errors)))
                .collect(),
        ),
    }
}

/// `Type` as GraphQL writes it (`[String!]!`).
fn type_text<'a>(ty: &Type<'a, &'a str>) -> String {
    match ty {
        Type::NamedType(name) => (*name).to_owned(),
        Type::ListType(inner) => format!("[{}]", type_text(inner)),
        Type::NonNullType(inner) => format!("{}!", type_text(inner)),
    }
}

/// Whether `value` fits `ty`, as far as the built-in scalars tell (input objects, enums and
/// custom scalars are checked where the arguments are read).
fn fits<'a>(value: &Value, ty: &Type<'a, &'a str>) -> bool {
    match ty {
        Type::NonNullType(inner) => !value.is_null() && fits(value, inner),
        Type::ListType(inner) => match value {
            Value::Null => true,
            Value::Array(items) => items.iter().all(|item| fits(item, inner)),
            single => fits(single, inner),
        },
        Type::NamedType(name) => match (*name, value) {
            (_, Value::Null) => true,
            ("Int", v) => v.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
            ("Float", v) => v.is_number(),
            ("String", v) => v.is_string(),
            ("ID", v) => v.is_string() || v.is_i64(),
            ("Boolean", v) => v.is_boolean(),
            _ => true,
        },
    }
}

/// The operation's variables: given values checked against their types, defaults filled in.
fn coerce_variables<'a>(
    definitions: &[VariableDefinition<'a, &'a str>],
    given: &Map<String, Value>,
    errors: &mut Vec<GqlError>,
) -> Map<String, Value> {
    let empty = Context {
        fragments: HashMap::new(),
        variables: Map::new(),
        defined: HashSet::new(),
    };
    let mut variables = Map::new();
    for definition in definitions {
        let name = definition.name;
        let value = match given.get(name) {
            Some(value) => value.clone(),
            None => match &definition.default_value {
                Some(default) => to_json(&empty, default, definition.position, errors),
                None => {
                    if matches!(definition.var_type, Type::NonNullType(_)) {
                        errors.push(GqlError::at(
                            format!(
                                "Variable \"${name}\" of required type \"{}\" was not provided.",
                                type_text(&definition.var_type)
                            ),
                            definition.position,
                            BAD_USER_INPUT,
                        ));
                    }
                    continue;
                }
            },
        };
        if !fits(&value, &definition.var_type) {
            errors.push(GqlError::at(
                format!(
                    "Variable \"${name}\" got invalid value {value}; Expected type \"{}\".",
                    type_text(&definition.var_type)
                ),
                definition.position,
                BAD_USER_INPUT,
            ));
            continue;
        }
        variables.insert(name.to_owned(), value);
    }
    variables
}
