"""Salesforce as a target: upsert by an external-id field with sObject Collections (200 a call, results in order),
or with a Bulk API 2.0 ingest job for a batch larger than `bulk_above`; owners matched to the org's Users by e-mail.

- Parents are written by their external id inside the child (`"Account": {"Handover_External_Id__c": ...}`), so
  Salesforce resolves them; a parent it does not hold refuses that record alone, with Salesforce's reason.
- Users are not created: an owner row is matched to an active User by e-mail (status unchanged) or rejected. The
  match is kept in a crosswalk file in the work folder, which records' OwnerId and the read-back use.
- Every write is an upsert by external id, so a lost answer is safe to send again (api_http retries it); a daily
  REQUEST_LIMIT_EXCEEDED stops the load with TargetError naming the endpoint; the ledger resumes it.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from connectors.api_http import ApiClient, ApiError, QuotaExceeded
from connectors.sources.salesforce import helpers
from connectors.sources.salesforce import settings as s
from connectors.targets.salesforce.settings import CUSTOM_TYPES, EXTERNAL_ID_FIELD, RELATIONSHIPS, STANDARD_FIELDS, custom_name, entity_object, to_value
from handover.frames import is_missing
from handover.ports import CREATED, REJECTED, UNCHANGED, UPDATED, Capabilities, EntitySchema, TargetError, empty_results, results_frame

BULK_POLL_SECONDS = 0.2
BULK_TIMEOUT_SECONDS = 600
MAX_BATCH = 10_000  # records a load checkpoints at once; each batch goes as Collections of 200, or as one Bulk job


class SalesforceTarget:
    name = "salesforce"
    capabilities = Capabilities(max_batch=MAX_BATCH, upsert_by_external_id=True, partial_update=True, change_owner=True, read_by_ids=True,
                                read_modified_since=True, create_fields=True, lookup_is_cheap=False)

    def __init__(self, url: str, crosswalk: Path, version: str = s.DEFAULT_VERSION, objects: dict[str, str] | None = None,
                 fields: dict[str, dict[str, str]] | None = None, external_id_field: str = EXTERNAL_ID_FIELD, bulk_above: int = 2000, **options: Any):
        try:
            self.api: ApiClient = helpers.client(url, **options)
        except ApiError as exc:
            raise TargetError(f"Salesforce connection URL: {exc}")
        self.crosswalk_path, self.version = Path(crosswalk), version
        self.objects, self.field_overrides = objects or {}, fields or {}
        self.ext, self.bulk_above = external_id_field, bulk_above
        self.schemas: dict[str, EntitySchema] = {}
        self.names: dict[str, dict[str, str]] = {}  # entity -> Handover field -> Salesforce field
        self.bulk_jobs = 0
        try:
            self.api.get(f"/services/data/v{version}/limits")
        except ApiError as exc:
            raise TargetError(f"Salesforce at {self.api.connection.label}: {exc}", user_error=exc.user_error)

    def close(self) -> None:
        self.api.close()

    def _object(self, entity: str) -> str:
        return entity_object(entity, self.objects)

    def _path(self, template: str, **parts: str) -> str:
        return template.format(version=self.version, **parts)

    # --- crosswalk of owners ----------------------------------------------------------------------

    def _crosswalk(self) -> dict[str, dict[str, str]]:
        return json.loads(self.crosswalk_path.read_text(encoding="utf-8")) if self.crosswalk_path.exists() else {}

    def _save_crosswalk(self, entries: dict[str, dict[str, str]]) -> None:
        self.crosswalk_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.crosswalk_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(entries, indent=1, sort_keys=True), encoding="utf-8")
        temporary.replace(self.crosswalk_path)

    def users(self) -> dict[str, str]:
        """e-mail (lower case) -> User Id of the org's active users."""
        found = {}
        for page in helpers.query_pages(self.api, "SELECT Id, Email, IsActive FROM User WHERE IsActive = true", self.version):
            found.update({str(u["Email"]).lower(): u["Id"] for u in page if u.get("Email")})
        return found

    # --- the port -----------------------------------------------------------------------------------

    def prepare(self, schema: EntitySchema) -> None:
        self.schemas[schema.entity] = schema
        obj = self._object(schema.entity)
        try:
            existing = {f["name"].lower(): f for f in helpers.describe(self.api, obj, self.version)}
            standard = {**STANDARD_FIELDS.get(obj, {}), **self.field_overrides.get(schema.entity, {})}
            names = {}
            for field in schema.fields:
                name = standard.get(field) or (existing[field.lower()]["name"] if field.lower() in existing else custom_name(field))
                names[field] = name
                if schema.entity != "owner" and name.lower() not in existing:
                    self._create_field(obj, name, CUSTOM_TYPES.get(schema.fields[field], "Text"))
            self.names[schema.entity] = names
            if schema.entity == "owner":
                return
            ext = existing.get(self.ext.lower())
            if ext is None:
                self._create_field(obj, self.ext, "Text", external=True)
            elif not ext.get("externalId"):
                raise TargetError(f"Salesforce {obj}.{self.ext} exists but is not an External ID field; the upsert needs one")
        except ApiError as exc:
            raise TargetError(f"Salesforce {obj} fields: {exc}", user_error=exc.user_error)

    def _create_field(self, obj: str, name: str, kind: str, external: bool = False) -> None:
        metadata: dict[str, Any] = {"type": kind, "label": name.removesuffix("__c").replace("_", " ")}
        if kind in ("Text", "Email", "Phone", "Url"):
            metadata["length"] = 255
        if kind == "LongTextArea":
            metadata |= {"length": 32768, "visibleLines": 3}
        if kind == "Number":
            metadata |= {"precision": 18, "scale": 4}
        if external:
            metadata |= {"externalId": True, "unique": True}
        self.api.post(self._path(s.CUSTOM_FIELD_PATH), safe=False, json={"FullName": f"{obj}.{name}", "Metadata": metadata})

    def _query_external(self, obj: str, external_ids: Sequence[str], fields: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        wanted = list(dict.fromkeys(["Id", self.ext, *fields]))
        values = [str(v) for v in external_ids]
        for start in range(0, len(values), 100):  # 100 ids keep the query URL short
            quoted = ", ".join("'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'" for v in values[start:start + 100])
            for page in helpers.query_pages(self.api, f"SELECT {', '.join(wanted)} FROM {obj} WHERE {self.ext} IN ({quoted})", self.version):
                found.update({str(r[self.ext]): r for r in page})
        return found

    def lookup(self, entity: str, external_ids: Sequence[str]) -> dict[str, str]:
        if entity == "owner":
            crosswalk = self._crosswalk()
            return {e: crosswalk[e]["id"] for e in external_ids if e in crosswalk}
        return {e: r["Id"] for e, r in self._query_external(self._object(entity), external_ids, []).items()}

    def upsert(self, entity: str, rows: pd.DataFrame, *, match_by: str | None = None) -> pd.DataFrame:
        if rows.empty:
            return empty_results()
        rows = rows.reset_index(drop=True)
        try:
            if entity == "owner":
                return self._match_owners(rows, match_by or "email")
            return self._upsert_records(entity, rows)
        except QuotaExceeded as exc:
            raise TargetError(f"{exc}. Every batch before this one is recorded in the ledger; this one is kept as an intent and settled on the rerun.",
                              user_error=False)

    def _match_owners(self, rows: pd.DataFrame, match_by: str) -> pd.DataFrame:
        if match_by not in rows:
            raise TargetError(f"Salesforce owners are the org's Users, matched by e-mail: the owner entity needs its {match_by} field mapped")
        users = self.users()
        emails = rows[match_by].map(lambda v: None if is_missing(v) else str(v).strip().lower())
        ids = emails.map(users)
        crosswalk = self._crosswalk()
        crosswalk.update({e: {"id": i, "email": m} for e, i, m in zip(rows["external_id"], ids, emails) if isinstance(i, str)})
        self._save_crosswalk(crosswalk)
        found = ids.notna()
        errors = pd.Series([None if f else f"no active Salesforce User with e-mail {e}: create the User first (Handover does not create users)"
                            for f, e in zip(found, emails)], dtype=object)
        return results_frame(rows["external_id"], target_id=ids.where(found, None), status=found.map({True: UNCHANGED, False: REJECTED}), error=errors,
                             retryable=False, target_version=None)

    def _records(self, entity: str, rows: pd.DataFrame) -> tuple[list[dict[str, Any] | None], list[str | None]]:
        """Each row as a Salesforce record, or None with the reason it cannot be sent."""
        schema = self.schemas.get(entity) or EntitySchema(entity, {})
        obj, names = self._object(entity), self.names.get(entity, {})
        owners = {k: v["id"] for k, v in self._crosswalk().items()}
        relationships = RELATIONSHIPS.get(obj, {})
        records, reasons = [], []
        for row in rows.to_dict("records"):
            record: dict[str, Any] = {"attributes": {"type": obj}, self.ext: str(row["external_id"])}
            for field, kind in schema.fields.items():
                if field in row:
                    record[names.get(field, field)] = to_value(row[field], kind)
            reason = None
            if not is_missing(row.get("owner_external_id")):
                if row["owner_external_id"] in owners:
                    record["OwnerId"] = owners[row["owner_external_id"]]
                else:
                    reason = f"owner {row['owner_external_id']} has no Salesforce User (it was not loaded)"
            for link, linked in schema.links.items():
                value = row.get(f"{link}_external_id")
                if link in relationships and not is_missing(value):
                    name, _lookup = relationships[link]
                    if name in record and link == "account":
                        continue  # a Task's What is its deal when it has one
                    record[name] = {"attributes": {"type": self._object(linked)}, self.ext: str(value)}
            records.append(None if reason else record)
            reasons.append(reason)
        return records, reasons

    def _upsert_records(self, entity: str, rows: pd.DataFrame) -> pd.DataFrame:
        obj = self._object(entity)
        records, reasons = self._records(entity, rows)
        sendable = [r for r in records if r is not None]
        if len(sendable) > self.bulk_above:
            outcomes = self._bulk(obj, sendable)
        else:
            outcomes = []
            for start in range(0, len(sendable), s.COLLECTION_SIZE):
                chunk = sendable[start:start + s.COLLECTION_SIZE]
                answer = self.api.request("PATCH", self._path(s.UPSERT_PATH, object=obj, field=self.ext), safe=True,
                                          json={"allOrNone": False, "records": chunk}).json()
                outcomes += answer  # UpsertResults come in the order the records were sent
        results = iter(outcomes)
        status, target_id, error = [], [], []
        for record, reason in zip(records, reasons):
            if record is None:
                status.append(REJECTED), target_id.append(None), error.append(reason)
                continue
            outcome = next(results)
            if outcome.get("success"):
                status.append(CREATED if outcome.get("created") else UPDATED), target_id.append(outcome.get("id")), error.append(None)
            else:
                status.append(REJECTED), target_id.append(None)
                error.append("; ".join(f"{e.get('statusCode')}: {e.get('message')}" for e in outcome.get("errors", [])))
        return results_frame(rows["external_id"], target_id=pd.Series(target_id, dtype=object), status=pd.Series(status, dtype=object),
                             error=pd.Series(error, dtype=object), retryable=False, target_version=None)

    # --- Bulk API 2.0 ------------------------------------------------------------------------------

    def _bulk(self, obj: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """One ingest job: upload CSV, close it, poll until complete, read both result files; outcomes in input order."""
        columns = list(dict.fromkeys(self._csv_key(k, v) for r in records for k, v in r.items() if k != "attributes"))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for record in records:
            flat = {self._csv_key(k, v): (v.get(self.ext) if isinstance(v, dict) else v) for k, v in record.items() if k != "attributes"}
            writer.writerow(["" if flat.get(c) is None else str(flat[c]).lower() if isinstance(flat.get(c), bool) else flat[c] for c in columns])
        job = self.api.post(self._path(s.INGEST_PATH), safe=False, json={"object": obj, "externalIdFieldName": self.ext, "contentType": "CSV",
                                                                          "operation": "upsert", "lineEnding": "LF"})
        self.bulk_jobs += 1
        base = f"{self._path(s.INGEST_PATH)}/{job['id']}"
        self.api.request("PUT", f"{base}/batches", safe=True, data=out.getvalue().encode("utf-8"), headers={"Content-Type": "text/csv"}, expect_json=False)
        self.api.request("PATCH", base, safe=True, json={"state": "UploadComplete"})
        deadline = time.monotonic() + BULK_TIMEOUT_SECONDS
        while (state := self.api.get(base)["state"]) not in ("JobComplete", "Failed", "Aborted"):
            if time.monotonic() > deadline:
                raise TargetError(f"salesforce bulk job {job['id']} on {obj} still {state} after {BULK_TIMEOUT_SECONDS} s; its results will be settled on the rerun",
                                  user_error=False)
            time.sleep(BULK_POLL_SECONDS)
        if state != "JobComplete":
            raise TargetError(f"salesforce bulk job {job['id']} on {obj} ended {state}", user_error=False)
        by_ext: dict[str, dict[str, Any]] = {}
        for kind in ("successfulResults", "failedResults"):
            text = self.api.request("GET", f"{base}/{kind}", safe=True, expect_json=False).text
            for row in csv.DictReader(io.StringIO(text)):
                if kind == "successfulResults":
                    by_ext[row[self.ext]] = {"success": True, "id": row["sf__Id"], "created": row["sf__Created"].lower() == "true"}
                else:
                    code, _, message = row["sf__Error"].partition(":")
                    by_ext[row[self.ext]] = {"success": False, "errors": [{"statusCode": code, "message": message}]}
        return [by_ext.get(r[self.ext], {"success": False, "errors": [{"statusCode": "MISSING", "message": "the bulk job returned no result"}]}) for r in records]

    def _csv_key(self, key: str, value: Any) -> str:
        return f"{key}.{self.ext}" if isinstance(value, dict) else key

    # --- read back -----------------------------------------------------------------------------------

    def read_by_ids(self, entity: str, external_ids: Sequence[str]) -> pd.DataFrame:
        schema = self.schemas.get(entity) or EntitySchema(entity, {})
        names = self.names.get(entity, {f: f for f in schema.fields})
        if entity == "owner":
            crosswalk = self._crosswalk()
            users = {v: k for k, v in self.users().items()}
            held = [(e, crosswalk[e]["id"]) for e in external_ids if e in crosswalk and crosswalk[e]["id"] in users]
            return pd.DataFrame({"external_id": [e for e, _ in held], "target_id": [i for _, i in held], "email": [users[i] for _, i in held]})
        obj = self._object(entity)
        relationships = RELATIONSHIPS.get(obj, {})
        lookups = sorted({relationships[link][1] for link in schema.links if link in relationships})
        found = self._query_external(obj, external_ids, [*names.values(), *(["OwnerId"] if schema.has_owner else []), *lookups])
        frame = pd.DataFrame({"external_id": list(found), "target_id": [r["Id"] for r in found.values()]})
        for field, name in names.items():
            frame[field] = [r.get(name) for r in found.values()]
        if schema.has_owner:
            owner_of = {v["id"]: k for k, v in self._crosswalk().items()}
            frame["owner_external_id"] = [owner_of.get(r.get("OwnerId") or "") for r in found.values()]
        for link, linked in schema.links.items():
            if link not in relationships:
                continue
            lookup = relationships[link][1]
            ids = [r.get(lookup) for r in found.values()]
            externals = self._externals_of(self._object(linked), [i for i in ids if i])
            frame[f"{link}_external_id"] = [externals.get(i) if i else None for i in ids]
        return frame

    def _externals_of(self, obj: str, ids: list[str]) -> dict[str, str]:
        externals: dict[str, str] = {}
        unique = sorted(set(ids))
        for start in range(0, len(unique), s.RETRIEVE_SIZE):
            answer = self.api.post(self._path(s.RETRIEVE_PATH, object=obj), safe=True, json={"ids": unique[start:start + s.RETRIEVE_SIZE], "fields": ["Id", self.ext]})
            externals.update({r["Id"]: r.get(self.ext) for r in answer or [] if r})
        return externals
