"""leads_cn.csv: a Chinese CRM's lead export (GB18030, Chinese headers), merged into the second vendor's export;
Leads_web.csv: the English CRM's own web-form leads (UTF-8 with BOM, English headers, same fields)."""

from __future__ import annotations

import random

from sampledata._addresses import street
from sampledata._companies import without_legal
from sampledata._people import Person
from sampledata._phones import drop_digit, render, with_extension
from sampledata.other_crm.accounts import AccountNames
from sampledata.other_crm.files import RAW_BYTES, ExportFile
from sampledata.other_crm.formats import later, leads_time, moment
from sampledata.other_crm.ledger import Ledger, Pending, bad, chosen, insert_randomly, place_repeats
from sampledata.other_crm.world import Account, Owner, World, full_name

LEADS_HEADER = [
    "线索ID",
    "线索名称",
    "公司名称",
    "职位",
    "手机",
    "电话",
    "邮箱",
    "微信",
    "省份",
    "城市",
    "详细地址",
    "线索来源",
    "线索状态",
    "负责人",
    "创建时间",
    "最后跟进时间",
    "备注",
    "预计金额",
]
# Leads_web.csv: the same fields under the English CRM's names, in its own order.
WEB_HEADERS = {
    "Lead ID": "线索ID", "Lead Name": "线索名称", "Company": "公司名称", "Designation": "职位", "Email": "邮箱", "Mobile": "手机",
    "Phone": "电话", "WeChat": "微信", "State": "省份", "City": "城市", "Street": "详细地址", "Lead Source": "线索来源",
    "Lead Status": "线索状态", "Lead Owner": "负责人", "Created Time": "创建时间", "Last Activity Time": "最后跟进时间",
    "Description": "备注", "Expected Revenue": "预计金额",
}
_WEB_STATUS = {"未处理": "Not Contacted", "跟进中": "Contacted", "已转化": "Qualified", "无效": "Junk Lead"}
_WEB_SOURCE = {"官网": "Web Form", "展会": "Trade Show", "电话营销": "Cold Call", "转介绍": "Referral", "百度推广": "Online Ad", "微信": "Chat"}


def _lead_row(
    person: Person, account: Account | None, owner: Owner, rng: random.Random, names: AccountNames, lead_id: str
) -> dict[str, str | None]:
    if account is not None:
        company = rng.choice((names.pick(account, rng), account.company.name, without_legal(account.company, rng)))
    elif person.company is not None:
        company = person.company.name if rng.random() < 0.7 else without_legal(person.company, rng)
    else:
        company = rng.choice(("", "个人", "个体户"))
    created = moment(rng)
    office = person.company.switchboard if person.company else None
    city = person.city
    return {
        "线索ID": lead_id,
        "线索名称": full_name(person),
        "公司名称": company,
        "职位": person.title,
        "手机": render(person.phone, rng) if person.phone and person.phone.mobile else "",
        "电话": with_extension(render(office, rng), rng, office.country) if office and rng.random() < 0.4 else "",
        "邮箱": person.email if rng.random() < 0.7 else "",
        "微信": rng.choice(("", "", f"wxid_{rng.randint(10**9, 10**10)}", person.phone.nsn if person.phone else "")),
        "省份": city.region if city.country == "CN" else "",
        "城市": city.name,
        "详细地址": street(city, rng) if rng.random() < 0.5 else "",
        "线索来源": rng.choice(("官网", "展会", "电话营销", "转介绍", "百度推广", "微信")),
        "线索状态": rng.choice(("未处理", "跟进中", "跟进中", "已转化", "无效")),
        "负责人": owner.full_name,
        "创建时间": leads_time(created, rng),
        "最后跟进时间": leads_time(later(created, rng), rng) if rng.random() < 0.7 else "",
        "备注": rng.choice(
            ("", "", "", "客户要求报价，下周回访", "展会上交换名片, 对MX-300感兴趣", "电话打不通\n改发微信")
        ),
    }


def leads_file(world: World, rng: random.Random, ledger: Ledger, names: AccountNames) -> None:
    file = ExportFile("leads_cn.csv", "gb18030", ",", "\r\n", LEADS_HEADER, raw_bytes="中".encode("gb18030")[:1])
    sources: list[tuple[Person, Account | None, str | None]] = [(p, a, None) for p, a in world.lead_people]
    for contact in rng.sample(world.contacts, round(len(world.lead_people) * 0.15)):
        sources.append((contact.person, contact.account, contact.key))
    rng.shuffle(sources)
    owners = [o for o in world.owners if o.script == "chinese"] or world.owners
    rows: list[Pending] = []
    repeats: list[Pending] = []
    duplicated, repeated = chosen(rng, len(sources), 0.05), chosen(rng, len(sources), 0.02)
    for n, (person, account, contact_key) in enumerate(sources):
        owner = rng.choice(owners) if rng.random() < 0.8 else rng.choice(world.owners)
        lead_id = f"XS{2021 + n % 5}{n:06d}"
        row = _lead_row(person, account, owner, rng, names, lead_id)
        truth = {
            "entity": person.cluster_id,
            "account": account.key if account else None,
            "owner": owner.key,
            "also_a_contact": contact_key is not None,
        }
        truth["amount"] = _with_amount(row, lead_id)
        rows.append(Pending(row, lead_id, truth))
        if n in duplicated:
            again = _lead_row(person, account, owner, rng, names, f"XS{2021 + n % 5}{500_000 + n:06d}")
            if person.script == "chinese":
                again["线索名称"] = (
                    f"{person.last}{rng.choice(('总', '经理', '先生' if person.gender == 'm' else '女士'))}"
                )
            rows.append(Pending(again, again["线索ID"] or "", {**truth, "amount": _with_amount(again, again["线索ID"] or "")}))
        if n in repeated:
            edited = repeated[n] == "edited"
            copy = {**row, "线索状态": "已转化", "最后跟进时间": leads_time(moment(rng), rng)} if edited else dict(row)
            repeats.append(Pending(copy, lead_id, dict(truth)))
    ledger.write_all(
        "leads", file, place_repeats(insert_randomly(rows, _bad_leads(world, rng, names), rng), repeats, rng)
    )


def _bad_leads(world: World, rng: random.Random, names: AccountNames) -> list[Pending]:
    scale = len(world.lead_people) / 1700
    out = []
    for i in range(max(1, round(3 * scale))):
        person, account = rng.choice(world.lead_people)
        row = _lead_row(person, account, world.owners[0], rng, names, f"XS2099{i:06d}")
        row.update({"线索名称": "", "手机": "", "邮箱": "", "电话": "", "微信": ""})
        out.append(
            Pending(
                row,
                row["线索ID"] or "",
                {
                    "entity": person.cluster_id,
                    "account": account.key if account else None,
                    "owner": world.owners[0].key,
                    "bad": bad("missing_required", "线索名称", "", "no name, phone or email"),
                },
            )
        )
    mobiles = [(p, a) for p, a in world.lead_people if p.phone and p.phone.mobile and p.phone.country == "CN"]
    for i, (person, account) in enumerate(rng.sample(mobiles, max(1, round(2 * scale)))):
        row = _lead_row(person, account, world.owners[0], rng, names, f"XS2098{i:06d}")
        row["手机"] = drop_digit(person.phone.nsn, rng)  # type: ignore[union-attr]
        out.append(
            Pending(
                row,
                row["线索ID"] or "",
                {
                    "entity": person.cluster_id,
                    "account": account.key if account else None,
                    "owner": world.owners[0].key,
                    "bad": bad("invalid_phone", "手机", row["手机"], "a Chinese mobile with 10 digits"),
                },
            )
        )
    person, account = rng.choice([(p, a) for p, a in world.lead_people if p.email])
    row = _lead_row(person, account, world.owners[0], rng, names, "XS2097000001")
    row["邮箱"] = person.email.replace("@", "#")
    out.append(
        Pending(
            row,
            row["线索ID"] or "",
            {
                "entity": person.cluster_id,
                "account": account.key if account else None,
                "owner": world.owners[0].key,
                "bad": bad("invalid_email", "邮箱", row["邮箱"]),
            },
        )
    )
    person, account = rng.choice(world.lead_people)
    row = _lead_row(person, account, world.owners[0], rng, names, "XS2097000002")
    row["备注"] = "客户说明：备注字段在导出时被截断" + RAW_BYTES
    out.append(
        Pending(
            row,
            row["线索ID"] or "",
            {
                "entity": person.cluster_id,
                "account": account.key if account else None,
                "owner": world.owners[0].key,
                "bad": bad(
                    "undecodable_bytes",
                    "备注",
                    None,
                    "a note cut inside a two-byte character: lead byte 0xD6, then the line end",
                ),
            },
        )
    )
    return out


def _with_amount(row: dict[str, str | None], lead_id: str) -> float | None:
    """An expected amount on about a third of the leads, written as the CRM's users typed it; returns its value.
    Drawn from the lead's id, so the other files' random draws stay as they were."""
    draw = random.Random(lead_id)
    if draw.random() >= 0.35:
        return None
    value = draw.choice((8_000, 12_000, 50_000, 120_000, 300_000))
    row["预计金额"] = draw.choice((f"¥{value:,}", str(value), f"{value:,}.00"))
    return float(value)


def web_leads_file(world: World, rng: random.Random, ledger: Ledger, names: AccountNames) -> None:
    """Leads_web.csv: leads the English CRM's web forms collected, some of them people leads_cn.csv also holds."""
    file = ExportFile("Leads_web.csv", "utf-8-sig", ",", "\n", list(WEB_HEADERS))
    people = rng.sample(world.lead_people, max(2, round(len(world.lead_people) * 0.2)))
    rows: list[Pending] = []
    repeats: list[Pending] = []
    repeated = chosen(rng, len(people), 0.03)
    for n, (person, account) in enumerate(people):
        owner = rng.choice(world.owners)
        lead_id = f"WL{n + 1:05d}"
        cn = _lead_row(person, account, owner, rng, names, lead_id)
        truth = {"entity": person.cluster_id, "account": account.key if account else None, "owner": owner.key}
        truth["amount"] = _with_amount(cn, lead_id)
        cn["线索状态"] = _WEB_STATUS[cn["线索状态"] or "未处理"]
        cn["线索来源"] = _WEB_SOURCE[cn["线索来源"] or "官网"]
        row = {english: cn.get(chinese) for english, chinese in WEB_HEADERS.items()}
        rows.append(Pending(row, lead_id, truth))
        if n in repeated:
            edited = repeated[n] == "edited"
            copy = {**row, "Lead Status": "Qualified", "Designation": "Director"} if edited else dict(row)
            repeats.append(Pending(copy, lead_id, dict(truth)))
    ledger.write_all("web_leads", file, place_repeats(rows, repeats, rng))
