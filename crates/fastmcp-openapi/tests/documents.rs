//! The published OpenAPI example documents (Petstore 3.0, its expanded version, USPTO,
//! and two 3.1 documents, from OAI/OpenAPI-Specification: see fixtures/NOTICE) parsed into
//! tools; documents that cannot be served fail clearly; malformed documents never panic.

use fastmcp_openapi::{Kind, OpenApi, RouteMap};
use serde_json::{json, Value};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap()
}

fn schema_of(p: &fastmcp_openapi::OpenApiProvider, tool: &str) -> Value {
    let t = p.tools().iter().find(|t| t.name() == tool).unwrap();
    t.handler().tool().input_schema.clone()
}

#[test]
fn petstore_30_in_yaml_and_json() {
    for file in ["v3.0-petstore.yaml", "v3.0-petstore.json"] {
        let p = OpenApi::parse(&fixture(file)).unwrap().build().unwrap();
        assert_eq!(
            p.tool_names(),
            ["listPets", "createPets", "showPetById"],
            "{file}"
        );
        let list = schema_of(&p, "listPets");
        assert_eq!(list["properties"]["limit"]["type"], "integer", "{file}");
        assert!(list.get("required").is_none(), "{file}");
        let show = schema_of(&p, "showPetById");
        assert_eq!(show["required"], json!(["petId"]), "{file}");
        let t = p.tools().iter().find(|t| t.name() == "listPets").unwrap();
        assert_eq!(
            t.handler().tool().description.as_deref(),
            Some("List all pets")
        );
    }
}

#[test]
fn petstore_expanded_resolves_refs_and_all_of() {
    let p = OpenApi::parse(&fixture("v3.0-petstore-expanded.yaml"))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        p.tool_names(),
        ["findPets", "addPet", "find pet by id", "deletePet"].map(|n| n.replace(' ', "_"))
    );
    let add = schema_of(&p, "addPet");
    assert_eq!(
        add["properties"]["name"]["type"], "string",
        "NewPet's fields are arguments"
    );
    assert_eq!(add["required"], json!(["name"]));
    let find = schema_of(&p, "findPets");
    assert_eq!(find["properties"]["tags"]["type"], "array");
    // The Pet of the 200 answer is allOf NewPet + id: resolved, not a $ref.
    let t = p
        .tools()
        .iter()
        .find(|t| t.name() == "find_pet_by_id")
        .unwrap();
    let out = serde_json::to_string(&t.handler().tool()).unwrap();
    assert!(!out.contains("$ref"), "{out}");
}

#[test]
fn uspto_and_the_31_documents_parse_and_route_maps_apply() {
    let p = OpenApi::parse(&fixture("v3.0-uspto.yaml")).unwrap();
    let p = p
        .route_map(RouteMap::new(Kind::Resource).methods(["GET"]))
        .build()
        .unwrap();
    assert_eq!(p.tool_names(), ["perform-search"]);
    use fastmcp_server::Provider;
    let kinds = p.kinds();
    assert!(kinds.resources && kinds.templates && kinds.tools);
    // Webhooks only: no paths, no tools; a base URL is needed all the same.
    let e = OpenApi::parse(&fixture("v3.1-webhook-example.yaml"))
        .unwrap()
        .build()
        .err()
        .unwrap();
    assert!(e.message().contains("no base URL"), "{e}");
    let p = OpenApi::parse(&fixture("v3.1-webhook-example.yaml"))
        .unwrap()
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    assert!(p.tool_names().is_empty());
    let p = OpenApi::parse(&fixture("v3.1-non-oauth-scopes.yaml"))
        .unwrap()
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    assert_eq!(p.tool_names().len(), 1);
}

#[test]
fn documents_that_cannot_be_served_fail_clearly() {
    for (doc, says) in [
        ("not: [valid", "not a JSON or YAML document"),
        ("[1, 2]", "an OpenAPI document is an object"),
        (
            r#"{"swagger": "2.0", "paths": {}}"#,
            "not an OpenAPI 3.0 or 3.1 document",
        ),
        (
            r#"{"openapi": "3.0.0", "paths": []}"#,
            "`paths` is not an object",
        ),
    ] {
        let e = match OpenApi::parse(doc) {
            Ok(o) => o.base_url("http://127.0.0.1:9").build().err().unwrap(),
            Err(e) => e,
        };
        assert!(e.message().contains(says), "{doc}: {e}");
    }
    // A dangling $ref leaves its operation out, the others stay.
    let doc = json!({"openapi": "3.1.0", "servers": [{"url": "http://127.0.0.1:9"}], "paths": {
        "/a": {"get": {"operationId": "a", "parameters": [{"$ref": "#/components/parameters/nope"}]}},
        "/b": {"get": {"operationId": "b"}}
    }});
    let e = OpenApi::parse(&doc.to_string()).unwrap().build().err();
    assert!(
        e.is_some_and(|e| e.message().contains("points at nothing")),
        "a path whose $ref dangles is refused"
    );
}

/// A tiny deterministic generator (xorshift), so the mutations are the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Replace a random node of `v` by a value of another type.
fn mutate(v: &mut Value, rng: &mut Rng, depth: usize) {
    let choices = [
        json!(null),
        json!(7),
        json!("x"),
        json!([]),
        json!({}),
        json!({"$ref": "#/paths"}),
        json!({"$ref": "#"}),
    ];
    match v {
        Value::Object(o) if !o.is_empty() && depth < 12 => {
            let keys: Vec<String> = o.keys().cloned().collect();
            let k = &keys[(rng.next() as usize) % keys.len()];
            if rng.next().is_multiple_of(4) {
                o.insert(
                    k.clone(),
                    choices[(rng.next() as usize) % choices.len()].clone(),
                );
            } else if let Some(x) = o.get_mut(k) {
                mutate(x, rng, depth + 1);
            }
        }
        Value::Array(a) if !a.is_empty() && depth < 12 => {
            let i = (rng.next() as usize) % a.len();
            mutate(&mut a[i], rng, depth + 1);
        }
        other => *other = choices[(rng.next() as usize) % choices.len()].clone(),
    }
}

#[test]
fn hundreds_of_malformed_documents_never_panic() {
    let base: Value = serde_json::from_str(&fixture("v3.0-petstore.json")).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut built = 0;
    for _ in 0..500 {
        let mut doc = base.clone();
        for _ in 0..1 + rng.next() % 4 {
            mutate(&mut doc, &mut rng, 0);
        }
        if let Ok(o) = OpenApi::parse(&doc.to_string()) {
            if o.base_url("http://127.0.0.1:9").build().is_ok() {
                built += 1;
            }
        }
    }
    assert!(built > 0, "some mutations still make a document");
}
