"""Pipedrive as a target: no upsert by external id, so lookup-then-write through the ledger. A record the ledger
knows (its `target_id`) is updated with PATCH, which is safe to repeat; a new one is created with POST, which is
not: a create that gets no answer stops the load, naming the endpoint and what this batch saved, and the rerun
settles the batch by looking its records up by the external id kept in a custom field ("Handover external id").
Owners are matched to Pipedrive users by e-mail; relationships (org_id, person_id, deal_id) use Pipedrive's ids.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from connectors.api_http import ApiClient, ApiError, QuotaExceeded
from connectors.sources.pipedrive import helpers
from connectors.sources.pipedrive import settings as s
from connectors.targets.pipedrive.settings import EXTERNAL_ID_FIELD, FIELD_TYPES, LINK_FIELDS, STANDARD_FIELDS, entity_object, to_value
from handover.frames import is_missing
from handover.ports import CREATED, REJECTED, UNCHANGED, UPDATED, Capabilities, EntitySchema, TargetError, empty_results, results_frame


class PipedriveTarget:
    name = "pipedrive"
    capabilities = Capabilities(max_batch=100, upsert_by_external_id=False, partial_update=True, change_owner=True, read_by_ids=True,
                                read_modified_since=True, create_fields=True, lookup_is_cheap=False)

    def __init__(self, url: str, crosswalk: Path, objects: dict[str, str] | None = None, **options: Any):
        try:
            self.api: ApiClient = helpers.client(url, **options)
        except ApiError as exc:
            raise TargetError(f"Pipedrive connection URL: {exc}")
        self.crosswalk_path, self.objects = Path(crosswalk), objects or {}
        self.schemas: dict[str, EntitySchema] = {}
        self.keys: dict[str, dict[str, str]] = {}  # object -> field name -> custom field key
        self._indexes: dict[str, dict[str, int]] = {}  # object -> external id -> id
        try:
            self.api.get(s.USERS_PATH)
        except ApiError as exc:
            raise TargetError(f"Pipedrive at {self.api.connection.label}: {exc}", user_error=exc.user_error)

    def close(self) -> None:
        self.api.close()

    def _object(self, entity: str) -> str:
        return entity_object(entity, self.objects)

    def _crosswalk(self) -> dict[str, dict[str, Any]]:
        return json.loads(self.crosswalk_path.read_text(encoding="utf-8")) if self.crosswalk_path.exists() else {}

    def prepare(self, schema: EntitySchema) -> None:
        self.schemas[schema.entity] = schema
        if schema.entity == "owner":
            return
        obj = self._object(schema.entity)
        try:
            fields = {f["name"]: f["key"] for f in self.api.get(s.FIELDS_PATH.format(fields=s.FIELDS_OF[obj])).get("data") or []}
            wanted = {EXTERNAL_ID_FIELD: "varchar", **{f: FIELD_TYPES.get(k, "varchar") for f, k in schema.fields.items() if f not in STANDARD_FIELDS[obj]}}
            for name, kind in wanted.items():
                if name not in fields:
                    created = self.api.post(s.FIELDS_PATH.format(fields=s.FIELDS_OF[obj]), safe=False, json={"name": name, "field_type": kind})
                    fields[name] = created["data"]["key"]
            self.keys[obj] = {n: fields[n] for n in wanted}
        except ApiError as exc:
            raise TargetError(f"Pipedrive {obj} fields: {exc}", user_error=exc.user_error)

    def _index(self, obj: str) -> dict[str, int]:
        """external id -> Pipedrive id of the object's records, listed once (500 a call) and kept up to date."""
        if obj not in self._indexes:
            key = self.keys.get(obj, {}).get(EXTERNAL_ID_FIELD)
            if key is None:
                self.prepare(EntitySchema(next((e for e, o in {**s.ENTITY_OBJECTS, **self.objects}.items() if o == obj), obj), {}))
                key = self.keys[obj][EXTERNAL_ID_FIELD]
            self._indexes[obj] = {str(i["custom_fields"][key]): int(i["id"]) for page in helpers.pages(self.api, obj) for i in page
                                  if (i.get("custom_fields") or {}).get(key)}
        return self._indexes[obj]

    def lookup(self, entity: str, external_ids: Sequence[str]) -> dict[str, str]:
        if entity == "owner":
            crosswalk = self._crosswalk()
            return {e: str(crosswalk[e]["id"]) for e in external_ids if e in crosswalk}
        self._indexes.pop(self._object(entity), None)  # a lookup must see what an interrupted run created
        index = self._index(self._object(entity))
        return {e: str(index[e]) for e in external_ids if e in index}

    def upsert(self, entity: str, rows: pd.DataFrame, *, match_by: str | None = None) -> pd.DataFrame:
        if rows.empty:
            return empty_results()
        rows = rows.reset_index(drop=True)
        if entity == "owner":
            return self._match_owners(rows, match_by or "email")
        return self._write(entity, rows)

    def _match_owners(self, rows: pd.DataFrame, match_by: str) -> pd.DataFrame:
        users = {str(u["email"]).lower(): u["id"] for u in self.api.get(s.USERS_PATH).get("data") or [] if u.get("email") and u.get("active_flag")}
        emails = rows[match_by].map(lambda v: None if is_missing(v) else str(v).strip().lower())
        ids = emails.map(users)
        crosswalk = self._crosswalk()
        crosswalk.update({e: {"id": int(i), "email": m} for e, i, m in zip(rows["external_id"], ids, emails) if not is_missing(i)})
        self.crosswalk_path.parent.mkdir(parents=True, exist_ok=True)
        self.crosswalk_path.write_text(json.dumps(crosswalk, indent=1, sort_keys=True), encoding="utf-8")
        found = ids.notna()
        errors = pd.Series([None if f else f"no active Pipedrive user with e-mail {e}: invite them first (Handover does not create users)"
                            for f, e in zip(found, emails)], dtype=object)
        return results_frame(rows["external_id"], target_id=ids.map(lambda v: None if is_missing(v) else str(int(v))), status=found.map({True: UNCHANGED, False: REJECTED}),
                             error=errors, retryable=False, target_version=None)

    def _payload(self, entity: str, obj: str, row: dict[str, Any], owners: dict[str, dict[str, Any]]) -> tuple[dict[str, Any] | None, str | None]:
        schema = self.schemas.get(entity) or EntitySchema(entity, {})
        keys, standard = self.keys.get(obj, {}), STANDARD_FIELDS[obj]
        body: dict[str, Any] = {}
        custom: dict[str, Any] = {keys[EXTERNAL_ID_FIELD]: str(row["external_id"])}
        for field, kind in schema.fields.items():
            if field not in row:
                continue
            value = to_value(row[field], kind)
            if field in standard:
                name = standard[field]
                body[name] = [{"value": value, "primary": True, "label": "work"}] if name in ("emails", "phones") and value is not None else value
            else:
                custom[keys[field]] = value
        if obj == "persons" and not body.get("name"):
            body["name"] = " ".join(str(body[p]) for p in ("first_name", "last_name") if body.get(p)) or None
        if not is_missing(row.get("owner_external_id")):
            owner = owners.get(row["owner_external_id"])
            if owner is None:
                return None, f"owner {row['owner_external_id']} has no Pipedrive user (it was not loaded)"
            body["owner_id"] = owner["id"]
        for link, linked in schema.links.items():
            value = row.get(f"{link}_external_id")
            if link not in LINK_FIELDS or is_missing(value):
                continue
            target = self._index(self._object(linked)).get(str(value))
            if target is None:
                return None, f"linked {linked} {value} is not in Pipedrive"
            body[LINK_FIELDS[link]] = target
        body["custom_fields"] = custom
        return body, None

    def _write(self, entity: str, rows: pd.DataFrame) -> pd.DataFrame:
        obj = self._object(entity)
        index = self._index(obj)
        status, target_id, error, version = [], [], [], []
        owners = self._crosswalk()
        for row in rows.to_dict("records"):
            body, reason = self._payload(entity, obj, row, owners)
            known = row.get("target_id")
            known = None if is_missing(known) else int(known)
            try:
                if body is None:
                    outcome, answer = REJECTED, None
                elif known is not None:
                    answer = self._patch(obj, known, body)
                    outcome = UPDATED if answer is not None else CREATED
                    if answer is None:
                        answer = self.api.post(s.LIST_PATH.format(object=obj), safe=False, json=body)
                else:
                    answer, outcome = self.api.post(s.LIST_PATH.format(object=obj), safe=False, json=body), CREATED
            except QuotaExceeded as exc:
                raise TargetError(f"{exc}; {len(status)} records of this batch were written before it stopped; the rerun settles them by external id",
                                  user_error=False)
            except ApiError as exc:
                if exc.unsafe:
                    raise TargetError(f"{exc}. {len(status)} records of this batch were written before it ({sum(1 for x in status if x != REJECTED)} accepted); "
                                      "the rerun looks each record of the batch up by its external id before sending anything", user_error=False)
                outcome, answer, reason = REJECTED, None, _reason(exc)
            status.append(outcome)
            target_id.append(str(answer["data"]["id"]) if answer else None)
            error.append(reason if outcome == REJECTED else None)
            version.append(answer["data"].get("update_time") if answer else None)
            if answer:
                index[str(row["external_id"])] = int(answer["data"]["id"])
        return results_frame(rows["external_id"], target_id=pd.Series(target_id, dtype=object), status=pd.Series(status, dtype=object),
                             error=pd.Series(error, dtype=object), retryable=False, target_version=pd.Series(version, dtype=object))

    def _patch(self, obj: str, record_id: int, body: dict[str, Any]) -> dict[str, Any] | None:
        """The updated record, or None when Pipedrive no longer holds it (deleted there since: it is created again)."""
        try:
            return self.api.request("PATCH", s.ITEM_PATH.format(object=obj, id=record_id), safe=True, json=body).json()
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise

    def read_by_ids(self, entity: str, external_ids: Sequence[str]) -> pd.DataFrame:
        schema = self.schemas.get(entity) or EntitySchema(entity, {})
        if entity == "owner":
            crosswalk = self._crosswalk()
            users = {u["id"]: str(u["email"]).lower() for u in self.api.get(s.USERS_PATH).get("data") or []}
            held = [(e, crosswalk[e]["id"]) for e in external_ids if e in crosswalk and crosswalk[e]["id"] in users]
            return pd.DataFrame({"external_id": [e for e, _ in held], "target_id": [str(i) for _, i in held], "email": [users[i] for _, i in held]})
        obj = self._object(entity)
        keys, standard = self.keys.get(obj, {}), STANDARD_FIELDS[obj]
        wanted = set(external_ids)
        items = {str(i["custom_fields"][keys[EXTERNAL_ID_FIELD]]): i for page in helpers.pages(self.api, obj) for i in page
                 if str((i.get("custom_fields") or {}).get(keys[EXTERNAL_ID_FIELD])) in wanted}
        frame = pd.DataFrame({"external_id": list(items), "target_id": [str(i["id"]) for i in items.values()]})
        for field in schema.fields:
            if field in standard:
                name = standard[field]
                frame[field] = [helpers.primary(i.get(name)) if name in ("emails", "phones") else i.get(name) for i in items.values()]
            else:
                frame[field] = [(i.get("custom_fields") or {}).get(keys[field]) for i in items.values()]
        if schema.has_owner:
            owner_of = {v["id"]: k for k, v in self._crosswalk().items()}
            frame["owner_external_id"] = [owner_of.get(i.get("owner_id")) for i in items.values()]
        for link, linked in schema.links.items():
            if link in LINK_FIELDS:
                back = {v: k for k, v in self._index(self._object(linked)).items()}
                frame[f"{link}_external_id"] = [back.get(i.get(LINK_FIELDS[link])) for i in items.values()]
        return frame


def _reason(exc: ApiError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    return str(body.get("error") or exc)
