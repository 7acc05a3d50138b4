"""HubSpot CRM as a target: batch upsert by a unique `idProperty` holding the external id (100 a call), owners
matched to the portal's users by e-mail, relationships as v4 associations written with HubSpot's own ids.

- Owners cannot be created through HubSpot's API: an owner row is matched to an existing user by e-mail (status
  unchanged) or rejected, saying who to invite. The match is kept in a crosswalk file in the migration's work folder,
  so records' `hubspot_owner_id` and the read-back can translate both ways.
- A batch HubSpot refuses as a whole (400: one bad value fails all) is sent again record by record, which is safe
  because an upsert by idProperty is idempotent; each refused record is rejected with HubSpot's reason.
- A record whose owner or linked record HubSpot does not hold is rejected before anything is sent.
- Rate limits come from HubSpot's headers (api_http); 5xx and lost connections are retried, since every write here
  is an upsert by external id. A daily quota stops the load with TargetError naming the endpoint; the ledger's
  intents let the next run resume without sending anything twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from connectors.api_http import ApiClient, ApiError, QuotaExceeded
from connectors.sources.hubspot import helpers
from connectors.sources.hubspot import settings as s
from connectors.targets.hubspot.settings import ID_PROPERTY, PROPERTY_TYPES, entity_object, to_text
from handover.frames import is_missing
from handover.ports import CREATED, REJECTED, UNCHANGED, UPDATED, Capabilities, EntitySchema, TargetError, empty_results, results_frame


class HubSpotTarget:
    name = "hubspot"
    capabilities = Capabilities(max_batch=s.BATCH_SIZE, upsert_by_external_id=True, partial_update=True, change_owner=True, read_by_ids=True,
                                read_modified_since=True, create_fields=True, lookup_is_cheap=False)

    def __init__(self, url: str, crosswalk: Path, objects: dict[str, str] | None = None, id_property: str = ID_PROPERTY, **options: Any):
        try:
            self.api: ApiClient = helpers.client(url, **options)
        except ApiError as exc:
            raise TargetError(f"HubSpot connection URL: {exc}")
        self.crosswalk_path = Path(crosswalk)
        self.objects = objects or {}
        self.id_property = id_property
        self.schemas: dict[str, EntitySchema] = {}
        self._users: dict[str, str] | None = None
        self._check()

    def _check(self) -> None:
        try:
            self.api.get(s.OWNERS_PATH, params={"limit": 1})
        except ApiError as exc:
            raise TargetError(f"HubSpot at {self.api.connection.label}: {exc}", user_error=exc.user_error)

    def close(self) -> None:
        self.api.close()

    # --- the owner crosswalk ----------------------------------------------------------------------

    def _crosswalk(self) -> dict[str, dict[str, str]]:
        return json.loads(self.crosswalk_path.read_text(encoding="utf-8")) if self.crosswalk_path.exists() else {}

    def _save_crosswalk(self, entries: dict[str, dict[str, str]]) -> None:
        self.crosswalk_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.crosswalk_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(entries, indent=1, sort_keys=True), encoding="utf-8")
        temporary.replace(self.crosswalk_path)

    def users(self) -> dict[str, str]:
        """e-mail (lower case) -> owner id of the portal's active users."""
        if self._users is None:
            self._users = {}
            for page in helpers.owner_pages(self.api, archived=False):
                self._users.update({str(o["email"]).lower(): o["id"] for o in page if o.get("email")})
        return self._users

    # --- the port -----------------------------------------------------------------------------------

    def _object(self, entity: str) -> str:
        return entity_object(entity, self.objects)

    def prepare(self, schema: EntitySchema) -> None:
        self.schemas[schema.entity] = schema
        if schema.entity == "owner":
            return
        obj = self._object(schema.entity)
        try:
            existing = {p["name"]: p for p in self.api.get(s.PROPERTIES_PATH.format(object=obj))["results"]}
            wanted = {self.id_property: ("string", True), **{f: (PROPERTY_TYPES.get(kind, ("string", "text"))[0], False) for f, kind in schema.fields.items()}}
            for name, (kind, unique) in wanted.items():
                if name in existing:
                    if name == self.id_property and not existing[name].get("hasUniqueValue"):
                        raise TargetError(f"HubSpot {obj}: property {name} exists but is not unique; the external id needs a property with unique values")
                    continue
                field_type = dict(PROPERTY_TYPES.values()).get(kind, "text")
                self.api.post(s.PROPERTIES_PATH.format(object=obj), safe=False, json={
                    "name": name, "label": name.replace("_", " ").title(), "type": kind, "fieldType": field_type,
                    "groupName": f"{obj.rstrip('s')}information", "hasUniqueValue": unique})
        except ApiError as exc:
            raise TargetError(f"HubSpot {obj} properties: {exc}", user_error=exc.user_error)

    def lookup(self, entity: str, external_ids: Sequence[str]) -> dict[str, str]:
        if entity == "owner":
            crosswalk = self._crosswalk()
            return {e: crosswalk[e]["id"] for e in external_ids if e in crosswalk}
        return {e: r["id"] for e, r in self._read(self._object(entity), list(external_ids), []).items()}

    def _read(self, obj: str, external_ids: list[str], properties: list[str]) -> dict[str, dict[str, Any]]:
        """external id -> {id, properties} of the records HubSpot holds under them."""
        found: dict[str, dict[str, Any]] = {}
        wanted = list(dict.fromkeys([self.id_property, *properties]))
        for start in range(0, len(external_ids), s.BATCH_SIZE):
            chunk = external_ids[start:start + s.BATCH_SIZE]
            answer = self.api.post(s.BATCH_READ_PATH.format(object=obj), safe=True, json={
                "idProperty": self.id_property, "properties": wanted, "inputs": [{"id": e} for e in chunk]})
            for result in answer.get("results", []):
                found[str(result["properties"].get(self.id_property))] = {"id": str(result["id"]), "properties": result.get("properties", {})}
        return found

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
            raise TargetError(f"HubSpot owners are the portal's users, matched by e-mail: the owner entity needs its {match_by} field mapped")
        users = self.users()
        emails = rows[match_by].map(lambda v: None if is_missing(v) else str(v).strip().lower())
        ids = emails.map(users)
        crosswalk = self._crosswalk()
        for external, owner_id, email in zip(rows["external_id"], ids, emails):
            if isinstance(owner_id, str):
                crosswalk[external] = {"id": owner_id, "email": email}
        self._save_crosswalk(crosswalk)
        found = ids.notna()
        errors = pd.Series([None if f else f"no HubSpot user with e-mail {e}: invite them to the portal first (owners cannot be created through the API)"
                            for f, e in zip(found, emails)], dtype=object)
        return results_frame(rows["external_id"], target_id=ids.where(found, None), status=found.map({True: UNCHANGED, False: REJECTED}), error=errors,
                             retryable=False, target_version=None)

    def _links(self, entity: str, rows: pd.DataFrame) -> tuple[dict[str, dict[str, str]], pd.Series]:
        """Per link, external id -> HubSpot id; and each row's reason to refuse it (a missing owner or linked record)."""
        schema = self.schemas.get(entity) or EntitySchema(entity, {})
        reasons = pd.Series(None, index=rows.index, dtype=object)
        resolved: dict[str, dict[str, str]] = {}
        if "owner_external_id" in rows:
            crosswalk = self._crosswalk()
            owners = rows["owner_external_id"]
            missing = owners.notna() & ~owners.isin(list(crosswalk))
            reasons[missing] = "owner " + owners[missing].astype(str) + " has no HubSpot user (it was not loaded)"
            resolved["owner"] = {k: v["id"] for k, v in crosswalk.items()}
        for link, linked in schema.links.items():
            column = f"{link}_external_id"
            if column not in rows:
                continue
            wanted = sorted({str(v) for v in rows[column] if not is_missing(v)})
            resolved[link] = {e: r["id"] for e, r in self._read(self._object(linked), wanted, []).items()}
            missing = rows[column].notna() & ~rows[column].isin(list(resolved[link])) & reasons.isna()
            reasons[missing] = f"linked {linked} " + rows.loc[missing, column].astype(str) + " is not in HubSpot"
        return resolved, reasons

    def _payload(self, entity: str, row: dict[str, Any], owners: dict[str, str]) -> dict[str, str]:
        schema = self.schemas.get(entity) or EntitySchema(entity, {})
        properties = {f: to_text(v, schema.fields.get(f, "string")) for f, v in row.items()
                      if f not in ("external_id", "target_id", "owner_external_id") and not f.endswith("_external_id")}
        if "owner_external_id" in row:
            properties["hubspot_owner_id"] = owners.get(row["owner_external_id"], "") if not is_missing(row["owner_external_id"]) else ""
        return properties

    def _send(self, obj: str, inputs: list[dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
        """(external id -> result, external id -> HubSpot's reason) for one batch; a batch refused whole is bisected."""
        try:
            answer = self.api.post(s.BATCH_UPSERT_PATH.format(object=obj), safe=True, json={"inputs": inputs})
        except ApiError as exc:
            if exc.status != 400:
                raise
            if len(inputs) == 1:
                return {}, {inputs[0]["id"]: _reason(exc)}
            middle = len(inputs) // 2
            left, right = self._send(obj, inputs[:middle]), self._send(obj, inputs[middle:])
            return {**left[0], **right[0]}, {**left[1], **right[1]}
        return {str(r["properties"].get(self.id_property)): r for r in answer.get("results", [])}, {}

    def _upsert_records(self, entity: str, rows: pd.DataFrame) -> pd.DataFrame:
        obj = self._object(entity)
        resolved, reasons = self._links(entity, rows)
        accepted = rows.loc[reasons.isna()]
        inputs = [{"idProperty": self.id_property, "id": str(row["external_id"]), "properties": self._payload(entity, row, resolved.get("owner", {}))}
                  for row in accepted.to_dict("records")]
        results: dict[str, dict[str, Any]] = {}
        refused: dict[str, str] = {}
        retryable: set[str] = set()
        try:
            results, refused = self._send(obj, inputs) if inputs else ({}, {})
        except QuotaExceeded:
            raise
        except ApiError as exc:
            refused = {i["id"]: str(exc) for i in inputs}
            retryable = set(refused)
        self._associate(entity, obj, accepted, results, resolved)
        status, target_id, error, version = [], [], [], []
        for external, reason in zip(rows["external_id"], reasons):
            result = results.get(str(external))
            if result is None:
                status.append(REJECTED)
                target_id.append(None)
                error.append(reason if isinstance(reason, str) else refused.get(str(external), "HubSpot returned no result for this record"))
                version.append(None)
            else:
                status.append(CREATED if result.get("new") else UPDATED)
                target_id.append(str(result["id"]))
                error.append(None)
                version.append(result.get("updatedAt"))
        return results_frame(rows["external_id"], target_id=pd.Series(target_id, dtype=object), status=pd.Series(status, dtype=object),
                             error=pd.Series(error, dtype=object), retryable=pd.Series([str(e) in retryable for e in rows["external_id"]]),
                             target_version=pd.Series(version, dtype=object))

    def _associate(self, entity: str, obj: str, rows: pd.DataFrame, results: dict[str, dict[str, Any]], resolved: dict[str, dict[str, str]]) -> None:
        schema = self.schemas.get(entity) or EntitySchema(entity, {})
        for link, linked in schema.links.items():
            column = f"{link}_external_id"
            if column not in rows:
                continue
            pairs = [{"from": {"id": results[str(e)]["id"]}, "to": {"id": resolved[link][str(t)]}}
                     for e, t in zip(rows["external_id"], rows[column]) if str(e) in results and not is_missing(t) and str(t) in resolved[link]]
            if pairs:
                self.api.post(s.ASSOCIATE_PATH.format(from_object=obj, to_object=self._object(linked)), safe=True, json={"inputs": pairs})

    def read_by_ids(self, entity: str, external_ids: Sequence[str]) -> pd.DataFrame:
        schema = self.schemas.get(entity) or EntitySchema(entity, {})
        if entity == "owner":
            crosswalk = self._crosswalk()
            users = {v: k for k, v in self.users().items()}
            held = [(e, crosswalk[e]["id"]) for e in external_ids if e in crosswalk and crosswalk[e]["id"] in users]
            return pd.DataFrame({"external_id": [e for e, _ in held], "target_id": [i for _, i in held], "email": [users[i] for _, i in held]})
        obj = self._object(entity)
        properties = [*schema.fields, "hubspot_owner_id"]
        found = self._read(obj, list(external_ids), properties)
        frame = pd.DataFrame({"external_id": list(found), "target_id": [r["id"] for r in found.values()]})
        for name in schema.fields:
            frame[name] = [_typed(r["properties"].get(name), schema.fields[name]) for r in found.values()]
        if schema.has_owner:
            owner_of = {v["id"]: k for k, v in self._crosswalk().items()}
            frame["owner_external_id"] = [owner_of.get(r["properties"].get("hubspot_owner_id") or "") for r in found.values()]
        for link, linked in schema.links.items():
            frame[f"{link}_external_id"] = self._linked_external_ids(obj, self._object(linked), frame["target_id"].tolist())
        return frame

    def _linked_external_ids(self, obj: str, to_obj: str, ids: list[str]) -> list[str | None]:
        linked = helpers.associations(self.api, obj, to_obj, ids)
        first = {k: v[0] for k, v in linked.items() if v}
        externals: dict[str, str] = {}
        targets = sorted(set(first.values()))
        for start in range(0, len(targets), s.BATCH_SIZE):
            answer = self.api.post(s.BATCH_READ_PATH.format(object=to_obj), safe=True, json={
                "properties": [self.id_property], "inputs": [{"id": i} for i in targets[start:start + s.BATCH_SIZE]]})
            externals.update({str(r["id"]): r["properties"].get(self.id_property) for r in answer.get("results", [])})
        return [externals.get(first.get(i, ""), None) for i in ids]


def _reason(exc: ApiError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    return str(body.get("message") or exc)


def _typed(value: Any, kind: str) -> Any:
    if value in (None, ""):
        return None
    if kind == "boolean":
        return str(value).lower() == "true"
    return value
