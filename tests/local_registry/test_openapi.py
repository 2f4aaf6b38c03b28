"""The OpenAPI schema names a schema for every answer, and real answers match.

The schema is fetched from a real server, and a push through every JSON route
checks each answer twice: against the published schema, and by parsing it
with the response model and getting the very same JSON back.
"""

import re
from typing import Any

import httpx
import jsonschema
from pydantic import TypeAdapter

from luml_notebooks.local_registry import create_app, responses

THRESHOLD = 1_000  # the test's file goes multipart
PART_SIZE = 4_096

ORBIT = "/v1/organizations/{organization_id}/orbits/{orbit_id}"
COLLECTION = ORBIT + "/collections/{collection_id}"
ARTIFACT = COLLECTION + "/artifacts/{artifact_id}"
MULTIPART = "/v1/bucket-secrets/upload/multipart"


def _schema_name(schema: dict[str, Any]) -> str:
    return schema["$ref"].removeprefix("#/components/schemas/")


class CheckedApi:
    """Calls the API and checks each answer against ``/openapi.json``."""

    def __init__(self, client: httpx.Client, key: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"}
        self.doc = client.get("/openapi.json").json()
        self.ids: dict[str, str] = {}
        self.checked: set[tuple[str, str]] = set()

    def json_routes(self) -> set[tuple[str, str]]:
        return {
            (method, path)
            for path, operations in self.doc["paths"].items()
            for method, operation in operations.items()
            if "content" in operation["responses"].get("200", {})
        }

    def schema(self, method: str, template: str, status: int) -> dict[str, Any]:
        response = self.doc["paths"][template][method]["responses"][str(status)]
        return response["content"]["application/json"]["schema"]

    def call(self, method: str, template: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.client.request(
            method, template.format(**self.ids), headers=self.headers, **kwargs
        )
        assert response.status_code == status, response.text
        body = response.json()
        schema = self.schema(method, template, status)
        jsonschema.validate(body, {**schema, "components": self.doc["components"]})
        self._parse_with_model(schema, body)
        self.checked.add((method, template))
        return body

    @staticmethod
    def _parse_with_model(schema: dict[str, Any], body: Any) -> None:
        if schema.get("type") == "array":
            model: Any = list[getattr(responses, _schema_name(schema["items"]))]
        else:
            model = getattr(responses, _schema_name(schema))
        adapter = TypeAdapter(model)
        assert adapter.dump_python(adapter.validate_python(body), mode="json") == body


def test_every_route_names_its_response_schemas(data_dir, live_server):
    with live_server(create_app(data_dir)) as server:
        doc = httpx.get(server.url + "/openapi.json").json()
    assert doc["paths"]
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            answers = operation["responses"]
            [success] = [code for code in answers if code.startswith("2")]
            if success == "204":
                assert "content" not in answers[success], (method, path)
            else:
                schema = answers[success]["content"]["application/json"]["schema"]
                named = schema["items"] if schema.get("type") == "array" else schema
                assert "$ref" in named, (method, path)
            # errors are one readable sentence, not FastAPI's default list
            for code in ("400", "401", "404", "422"):
                error = answers[code]["content"]["application/json"]["schema"]
                assert _schema_name(error) == "ErrorOut", (method, path, code)


def test_real_answers_match_the_schema_and_the_models(
    data_dir, bootstrap_key, live_server, luml_file, body_for
):
    data = luml_file(b"w" * 10_000)
    app = create_app(
        data_dir, multipart_threshold=THRESHOLD, multipart_part_size=PART_SIZE
    )
    with live_server(app) as server, httpx.Client(base_url=server.url) as client:
        api = CheckedApi(client, bootstrap_key)
        [org] = api.call("get", "/v1/users/me/organizations")
        api.ids["organization_id"] = org["id"]
        [orbit] = api.call("get", "/v1/organizations/{organization_id}/orbits")
        api.ids["orbit_id"] = orbit["id"]
        api.call("get", ORBIT)
        collections = api.call("get", ORBIT + "/collections")
        api.ids["collection_id"] = collections["items"][-1]["id"]
        api.call(
            "post",
            ORBIT + "/collections",
            json={"name": "Data", "type": "dataset", "tags": ["t"]},
        )

        created = api.call(
            "post", COLLECTION + "/artifacts", json=body_for(data, tags=["a"])
        )
        api.ids["artifact_id"] = created["artifact"]["id"]
        details = created["upload_details"]
        assert details["multipart"]
        started = client.post(details["url"])
        upload_id = re.search(r"<UploadId>(.+)</UploadId>", started.text)[1]
        urls = api.call(
            "post",
            MULTIPART,
            json={
                "bucket_id": details["bucket_secret_id"],
                "bucket_location": details["bucket_location"],
                "size": len(data),
                "upload_id": upload_id,
            },
        )
        etags = []
        for part in urls["parts"]:
            chunk = data[part["start_byte"] : part["end_byte"] + 1]
            put = client.put(part["url"], content=chunk)
            etags.append((part["part_number"], put.headers["ETag"]))
        complete = "".join(
            f"<Part><PartNumber>{number}</PartNumber><ETag>{etag}</ETag></Part>"
            for number, etag in etags
        )
        done = client.post(
            urls["complete_url"],
            content=f"<CompleteMultipartUpload>{complete}</CompleteMultipartUpload>",
        )
        assert done.status_code == 200, done.text

        api.call("patch", ARTIFACT, json={"status": "uploaded"})
        collection = api.call("get", COLLECTION)
        assert collection["artifacts_tags"] == ["a"]
        api.call("get", COLLECTION + "/artifacts")
        listed = api.call("get", ORBIT + "/artifacts")
        assert listed["items"][0]["status"] == "uploaded"
        assert api.call("get", ARTIFACT)["collection"]["id"] == api.ids["collection_id"]
        api.call("get", ARTIFACT + "/download-url")
        api.call("get", ARTIFACT + "/delete-url")

        # errors answer with the body the schema names for them
        api.call("patch", ARTIFACT, status=400, json={"status": "uploaded"})
        api.call("post", ORBIT + "/collections", status=422, json={"type": "x"})
        api.ids["artifact_id"] = "missing"
        api.call("get", ARTIFACT, status=404)

        assert api.json_routes() <= api.checked
