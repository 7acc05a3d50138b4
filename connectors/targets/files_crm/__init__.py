"""Import-ready files for a CRM without an API: per entity a CSV (UTF-8 with BOM) and an XLSX, plus an id crosswalk.

Files are headed as the chosen CRM's import tool expects (`template: generic | hubspot | salesforce`), relate
records by external id, and neutralise formula injection. The files are the target's whole state: an upsert merges
the batch into the entity's file by external id and rewrites it (rows in natural external-id order, so any run that
ends with the same records writes the same files), and `lookup` and `read_by_ids` read the files back, so the
reconciliation proves every record is in them. A record counts as held only where every format holds it identically.

Rows the CRM's import would refuse (a required field empty, a related record not in the files, an owner without the
email the CRM assigns owners by) are rejected one by one with the reason, like an API would.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from connectors.targets.files_crm.helpers import (
    EXCEL_MAX_CHARS, EXCEL_MAX_ROWS, NUMERIC, column_text, from_text, natural_key, read_csv, read_xlsx, row_versions, to_text,
    write_csv, write_xlsx, xlsx_text,
)
from connectors.targets.files_crm.settings import CROSSWALK, GENERIC_FILES, TEMPLATES, Layout, custom_header
from handover.entities import ENTITIES, LINKS
from handover.ports import CREATED, REJECTED, UNCHANGED, UPDATED, Capabilities, EntitySchema, TargetError, empty_results, results_frame


class FilesCRM:
    name = "files"
    capabilities = Capabilities(
        max_batch=50_000, upsert_by_external_id=True, partial_update=True, change_owner=True, read_by_ids=True,
        read_modified_since=False, create_fields=True, delete=True, lookup_is_cheap=True,
    )

    def __init__(self, folder: str | Path | None, template: str = "generic", formats: Sequence[str] = ("csv", "xlsx")):
        if folder is None:
            raise TargetError("the files target needs a folder (target.path)")
        self.folder = Path(folder)
        if self.folder.exists() and not self.folder.is_dir():
            raise TargetError(f"{self.folder} is a file; the files target writes import files into a folder")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TargetError(f"cannot create the folder {self.folder}: {exc.strerror}") from None
        if template != "generic" and template not in TEMPLATES:
            raise TargetError(f"unknown import template {template!r}; choose generic, {', '.join(TEMPLATES)}")
        self.template = template
        self.formats = tuple(formats)
        self.schemas: dict[str, EntitySchema] = {}

    def close(self) -> None:
        pass

    def __enter__(self) -> FilesCRM:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- layout ---------------------------------------------------------------------------------

    def layout(self, entity: str) -> Layout:
        """How `entity` is written: the template's layout, completed with the prepared schema's fields and links."""
        schema = self.schemas.get(entity)
        links = schema.links if schema else LINKS.get(entity, {})
        if self.template == "generic":
            fields = {f: f for f in schema.fields} if schema else {}
            return Layout(GENERIC_FILES.get(entity, entity), "external_id", fields, links={link: f"{link}_external_id" for link in links})
        known = TEMPLATES[self.template]
        base = known.get(entity) or Layout(entity, known["contact"].id_header, owner_header=custom_header(self.template, "owner_email"),
                                          owner_by="email")
        fields = {f: base.fields.get(f) or custom_header(self.template, f) for f in schema.fields} if schema else base.fields
        link_headers = {link: base.links.get(link) or custom_header(self.template, f"{link}_external_id") for link in links}
        return dataclasses.replace(base, fields=fields, links=link_headers)

    def headers(self, entity: str) -> list[str]:
        layout = self.layout(entity)
        schema = self.schemas.get(entity)
        owner = [layout.owner_header] if entity != "owner" and (schema is None or schema.has_owner) else []
        return [layout.id_header, *layout.fields.values(), *owner, *layout.links.values(), *layout.constants]

    def path(self, entity: str, extension: str) -> Path:
        return self.folder / f"{self.layout(entity).file}.{extension}"

    def prepare(self, schema: EntitySchema) -> None:
        self.schemas[schema.entity] = schema
        headers = self.headers(schema.entity)
        repeated = sorted({h for h in headers if headers.count(h) > 1})
        if repeated:
            raise TargetError(f"{schema.entity}: the {self.template} template gives two fields the column {', '.join(repeated)}; rename one in the spec")
        # A crash between writing the CSV and the XLSX leaves the XLSX behind: bring it level before anything else.
        csv, xlsx = self.path(schema.entity, "csv"), self.path(schema.entity, "xlsx")
        if "csv" in self.formats and "xlsx" in self.formats and csv.exists() and (not xlsx.exists() or xlsx.stat().st_mtime < csv.stat().st_mtime):
            self._write(schema.entity, self._current(schema.entity))

    def _schema(self, entity: str) -> EntitySchema:
        if entity not in self.schemas:
            raise TargetError(f"{entity}: prepare() the entity before writing it", user_error=False)
        return self.schemas[entity]

    # --- the files ------------------------------------------------------------------------------

    def _stored(self, entity: str) -> pd.DataFrame:
        """The entity's rows as the primary file holds them (text), in file order."""
        return read_csv(self.path(entity, "csv")) if "csv" in self.formats else read_xlsx(self.path(entity, "xlsx"))

    def _current(self, entity: str) -> pd.DataFrame:
        """The stored rows, columns as this run heads them, indexed by the id column's text."""
        headers = self.headers(entity)
        stored = self._stored(entity)
        frame = stored.reindex(columns=headers, fill_value="") if not stored.empty else pd.DataFrame(columns=headers, dtype=object)
        return frame.set_index(frame[headers[0]].to_numpy())

    def _write(self, entity: str, frame: pd.DataFrame) -> None:
        frame = frame.iloc[natural_key(frame.iloc[:, 0]).argsort(kind="stable")].reset_index(drop=True)
        layout, kinds = self.layout(entity), self._schema(entity).fields
        if "xlsx" in self.formats and len(frame) >= EXCEL_MAX_ROWS:
            raise TargetError(f"{entity}: {len(frame)} records do not fit one XLSX sheet (at most {EXCEL_MAX_ROWS - 1}); write csv only")
        try:
            if "csv" in self.formats:
                write_csv(self.path(entity, "csv"), frame)
            if "xlsx" in self.formats:
                numeric = {layout.fields[f] for f, kind in kinds.items() if kind in NUMERIC and f in layout.fields}
                write_xlsx(self.path(entity, "xlsx"), frame, numeric, layout.file)
            self._write_crosswalk()
        except OSError as exc:
            raise TargetError(f"cannot write the import files of {entity} in {self.folder}: {exc.strerror}") from None

    def _write_crosswalk(self) -> None:
        """Old id -> external id (the key the new CRM holds each record under) -> file and row, for every record."""
        parts = []
        for entity in [*ENTITIES, *sorted(set(self.schemas) - set(ENTITIES))]:
            stored = self._stored(entity)
            if stored.empty:
                continue
            external = stored.iloc[:, 0].map(lambda t: from_text(t, "string"))
            pieces = external.str.split(":", n=2, expand=True).reindex(columns=[0, 1, 2])
            ours = pieces[1] == entity
            parts.append(pd.DataFrame({
                "entity": entity, "source_system": pieces[0].where(ours, ""), "old_id": pieces[2].where(ours, ""),
                "external_id": external, "file": self.path(entity, "csv" if "csv" in self.formats else "xlsx").name,
                "row": range(2, len(stored) + 2),
            }))
        if not parts:
            return
        crosswalk = pd.concat(parts, ignore_index=True).astype({"row": "int64"})
        text = crosswalk.astype(str).apply(lambda c: c.map(lambda v: to_text(v, "string")))
        if "csv" in self.formats:
            write_csv(self.folder / f"{CROSSWALK}.csv", text)
        if "xlsx" in self.formats:
            write_xlsx(self.folder / f"{CROSSWALK}.xlsx", text, {"row"}, CROSSWALK)

    def _ids(self, entity: str) -> set[str]:
        stored = self._stored(entity)
        return set() if stored.empty else set(stored.iloc[:, 0])

    def _column(self, entity: str, field: str, link: bool = False) -> dict[str, str]:
        """id text -> text of one field (or link) of `entity`, as its file holds it."""
        layout = self.layout(entity)
        header = layout.links.get(field) if link else layout.fields.get(field)
        stored = self._stored(entity)
        if stored.empty or header not in stored:
            return {}
        return dict(zip(stored.iloc[:, 0], stored[header]))

    # --- rows -> text ---------------------------------------------------------------------------

    def _owner_text(self, owner_ids: pd.Series, by: str) -> pd.Series:
        ids = column_text(owner_ids, "string")
        if by == "external_id":
            return ids
        emails = self._column("owner", "email")
        return ids.map(lambda i: emails.get(i, "") if i else "")

    def _text_frame(self, entity: str, rows: pd.DataFrame, partial: bool = False) -> pd.DataFrame:
        """The file's text for each row; with `partial`, only the columns `rows` carries."""
        layout, kinds = self.layout(entity), self._schema(entity).fields
        text = pd.DataFrame({layout.id_header: column_text(rows["external_id"], "string")}, index=rows.index)
        for field, header in layout.fields.items():
            if field in rows or not partial:
                text[header] = column_text(rows[field], kinds[field]) if field in rows else ""
        if entity != "owner" and layout.owner_header in self.headers(entity) and ("owner_external_id" in rows or not partial):
            text[layout.owner_header] = self._owner_text(rows["owner_external_id"], layout.owner_by) if "owner_external_id" in rows else ""
        for link, header in layout.links.items():
            column = f"{link}_external_id"
            if column in rows or not partial:
                text[header] = column_text(rows[column], "string") if column in rows else ""
        for link, (via, _) in layout.derived_links.items():
            if link in layout.links and layout.links[via] in text and layout.links[link] in text:
                text.loc[text[layout.links[via]] != "", layout.links[link]] = ""
        for header, value in layout.constants.items():
            if not partial:
                text[header] = value
        return text

    def _refusals(self, entity: str, rows: pd.DataFrame, text: pd.DataFrame) -> pd.Series:
        """What the CRM's import would refuse in each row, or None."""
        reasons = pd.Series(None, index=rows.index, dtype=object)
        layout = self.layout(entity)

        def refuse(mask: pd.Series, message: str | pd.Series) -> None:
            fresh = mask & reasons.isna()
            reasons[fresh] = message[fresh] if isinstance(message, pd.Series) else message

        for field in layout.required:
            header = layout.fields.get(field, field)
            refuse(text[header] == "" if header in text else pd.Series(True, index=rows.index), f"REQUIRED_FIELD_MISSING: {header}")
        references = {"owner": "owner"} if entity != "owner" and "owner_external_id" in rows else {}
        references.update({link: linked for link, linked in self._schema(entity).links.items() if f"{link}_external_id" in rows})
        for link, linked in references.items():
            given = column_text(rows[f"{link}_external_id"], "string")
            held = self._ids(linked)
            file = self.path(linked, "csv" if "csv" in self.formats else "xlsx").name
            refuse((given != "") & ~given.isin(held), f"INVALID_CROSS_REFERENCE_KEY: {link} " + given + f" is not in {file}")
            if link == "owner" and layout.owner_by == "email":
                refuse((given != "") & (text[layout.owner_header] == ""),
                       "INVALID_CROSS_REFERENCE_KEY: owner " + given + f" has no email in {file}; {self.template} assigns owners by email")
        for link, (via, via_link) in layout.derived_links.items():
            if f"{link}_external_id" in rows and f"{via}_external_id" in rows:
                given, through = column_text(rows[f"{link}_external_id"], "string"), column_text(rows[f"{via}_external_id"], "string")
                implied = through.map(self._column(self._schema(entity).links[via], via_link, link=True)).fillna("")
                refuse((given != "") & (through != "") & (given != implied),
                       f"FIELD_INTEGRITY_EXCEPTION: {self.template} takes the {link} from the {via} (" + implied + "), not " + given)
        if "xlsx" in self.formats:
            lengths = text.apply(lambda c: c.str.len()).max(axis=1)
            refuse(lengths > EXCEL_MAX_CHARS, f"STRING_TOO_LONG: an Excel cell holds at most {EXCEL_MAX_CHARS} characters")
        return reasons

    # --- writes ---------------------------------------------------------------------------------

    def _apply(self, entity: str, rows: pd.DataFrame, partial: bool) -> pd.DataFrame:
        if rows.empty:
            return empty_results()
        rows = rows.reset_index(drop=True)
        if "owner_external_id" in rows and not self._schema(entity).has_owner and entity != "owner":
            self.schemas[entity] = dataclasses.replace(self.schemas[entity], has_owner=True)
        text = self._text_frame(entity, rows, partial)
        reasons = self._refusals(entity, rows, text)
        current = self._current(entity)
        ids = text.iloc[:, 0]
        existed = ids.isin(current.index)
        if partial:
            reasons = reasons.where(existed | reasons.notna(), "NOT_FOUND: no record with this external id")
        accepted = text.loc[reasons.isna()]
        repeated = accepted.iloc[:, 0].duplicated(keep="first")
        before = current.reindex(accepted.iloc[:, 0].to_numpy())[accepted.columns].set_axis(accepted.index)
        same = (before.fillna("\0") == accepted).all(axis=1) & existed[accepted.index] & ~repeated
        latest = accepted.drop_duplicates(accepted.columns[0], keep="last").set_index(accepted.columns[0], drop=False)
        merged = current.copy()
        new = latest.index.difference(merged.index)
        merged = pd.concat([merged, pd.DataFrame("", index=new, columns=merged.columns)]) if len(new) else merged
        merged.loc[latest.index, latest.columns] = latest
        missing_files = any(not self.path(entity, f).exists() for f in self.formats)
        if not same.all() or missing_files:
            self._write(entity, merged)
        statuses = pd.Series(REJECTED, index=rows.index, dtype=object)
        statuses[accepted.index] = [UNCHANGED if s else UPDATED if e or r else CREATED
                                    for s, e, r in zip(same, existed[accepted.index], repeated)]
        versions = pd.Series(None, index=rows.index, dtype=object)
        versions[accepted.index] = row_versions(merged.loc[accepted.iloc[:, 0]]).to_numpy()
        target_ids = rows["external_id"].astype(object).where(reasons.isna(), None)
        return results_frame(rows["external_id"], target_id=target_ids, status=statuses, error=reasons, retryable=False, target_version=versions)

    def upsert(self, entity: str, rows: pd.DataFrame, *, match_by: str | None = None) -> pd.DataFrame:
        return self._apply(entity, rows, partial=False)

    def update_fields(self, entity: str, rows: pd.DataFrame) -> pd.DataFrame:
        """Partial update by external id: only the columns given change (an owner, a field)."""
        return self._apply(entity, rows, partial=True)

    def delete(self, entity: str, external_ids: Sequence[str]) -> int:
        current = self._current(entity)
        gone = current.index.isin([to_text(e, "string") for e in external_ids])
        if gone.any():
            self._write(entity, current.loc[~gone])
        return int(gone.sum())

    # --- reads ----------------------------------------------------------------------------------

    def lookup(self, entity: str, external_ids: Sequence[str]) -> dict[str, str]:
        held = self._ids(entity)
        return {e: e for e in external_ids if to_text(e, "string") in held}

    def _held_everywhere(self, entity: str, wanted: set[str]) -> pd.DataFrame:
        """Rows of `wanted` ids that every format holds, with the same text."""
        current = self._current(entity)
        current = current.loc[current.index.isin(wanted)]
        if "csv" in self.formats and "xlsx" in self.formats and not current.empty:
            sheet = read_xlsx(self.path(entity, "xlsx"))
            sheet = sheet.reindex(columns=current.columns, fill_value="")
            sheet = sheet.drop_duplicates(sheet.columns[0]).set_index(sheet.columns[0], drop=False).reindex(current.index)
            agrees = (current.map(xlsx_text) == sheet.fillna("\0")).all(axis=1)
            current = current.loc[agrees]
        return current

    def read_by_ids(self, entity: str, external_ids: Sequence[str]) -> pd.DataFrame:
        layout, kinds = self.layout(entity), self.schemas[entity].fields if entity in self.schemas else {}
        held = self._held_everywhere(entity, {to_text(e, "string") for e in external_ids})
        out = pd.DataFrame({"external_id": [from_text(t, "string") for t in held.iloc[:, 0]]}, dtype=object)
        out["target_id"] = out["external_id"]
        out["target_version"] = row_versions(held).to_numpy()
        for field, header in layout.fields.items():
            if header in held:
                out[field] = [from_text(t, kinds.get(field, "string")) for t in held[header]]
        if entity != "owner" and layout.owner_header in held:
            texts = held[layout.owner_header]
            if layout.owner_by == "email":
                by_email = {email.lower(): owner for owner, email in self._column("owner", "email").items() if email}
                texts = texts.map(lambda e: by_email.get(e.lower(), "") if e else "")
            out["owner_external_id"] = [from_text(t, "string") for t in texts]
        for link, header in layout.links.items():
            if header in held:
                out[f"{link}_external_id"] = [from_text(t, "string") for t in held[header]]
        for link, (via, via_link) in layout.derived_links.items():
            if f"{link}_external_id" in out and f"{via}_external_id" in out:
                implied = self._column(self.schemas[entity].links[via] if entity in self.schemas else via, via_link, link=True)
                through = held[layout.links[via]].map(lambda t: implied.get(t, "")).map(lambda t: from_text(t, "string")).to_numpy()
                derived = out[f"{link}_external_id"].isna() & pd.notna(through)
                out.loc[derived, f"{link}_external_id"] = through[derived.to_numpy()]
        return out
