"""Table-driven tests for handover.cleaning.names: person-name case, splitting, joining, role e-mails."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from handover.cleaning.names import clean_person_name, join_name, role_email, split_full_name
from handover.cleaning.normalize import CLEANERS, clean

EMPTIES = [None, np.nan, pd.NA, "", "   ", "\u3000", "\u200b"]


def one(raw) -> tuple[object, object, object]:
    r = clean_person_name(pd.Series([raw], dtype=object))
    return r.values.iloc[0], r.problems.iloc[0], r.rules.iloc[0]


@pytest.mark.parametrize(
    ("raw", "value", "rule"),
    [
        ("JOHN SMITH", "John Smith", "titlecase"), ("john smith", "John Smith", "titlecase"),
        ("MCDONALD", "McDonald", "titlecase"), ("o'brien", "O'Brien", "titlecase"), ("O’NEIL", "O’Neil", "titlecase"),
        ("MACDONALD", "MacDonald", "titlecase"), ("MACHADO", "Machado", "titlecase"), ("MACK", "Mack", "titlecase"),
        ("VAN DER BERG", "van der Berg", "titlecase"), ("JUAN DE LA CRUZ", "Juan de la Cruz", "titlecase"),
        ("ludwig van beethoven", "Ludwig van Beethoven", "titlecase"), ("leonardo da vinci", "Leonardo da Vinci", "titlecase"),
        ("JEAN-LUC PICARD", "Jean-Luc Picard", "titlecase"), ("MARY-KATE O'NEIL-SMITH", "Mary-Kate O'Neil-Smith", "titlecase"),
        ("d'angelo", "D'Angelo", "titlecase"), ("JOSÉ ÁLVAREZ", "José Álvarez", "titlecase"),
        ("JOHN A. SMITH JR.", "John A. Smith Jr.", "titlecase"), ("john smith iii", "John Smith III", "titlecase"),
        ("JANE DOE PHD", "Jane Doe PhD", "titlecase"), ("j.r.r. tolkien", "J.R.R. Tolkien", "titlecase"),
        # a particle first stays capitalised unless another particle follows; Asian surnames keep their syllables
        ("DE GAULLE", "De Gaulle", "titlecase"), ("DU JUAN", "Du Juan", "titlecase"), ("AL PACINO", "Al Pacino", "titlecase"),
        ("ZHANG DE HUA", "Zhang De Hua", "titlecase"), ("NGUYEN VAN AN", "Nguyen Van An", "titlecase"),
        # mixed case is someone's choice; CJK, Hangul and kana are never re-cased
        ("McDonald", "McDonald", None), ("DeShawn", "DeShawn", None), ("van der Berg", "van der Berg", None),
        ("王小明", "王小明", None), ("欧阳 娜娜", "欧阳 娜娜", None), ("김민수", "김민수", None), ("やまだ", "やまだ", None),
        ("王 JOHN", "王 JOHN", None),
        # clean_text first; its rule stands when the case is fine
        ("  John   Smith ", "John Smith", "whitespace"), ("ＪＯＨＮ", "John", "titlecase"), ("Li\u200b", "Li", "invisible_chars"),
        ("J", "J", None), ("123", "123", None),
    ],
)
def test_clean_person_name(raw, value, rule):
    assert one(raw) == (value, None, rule)


def test_clean_person_name_empties_index_and_registry():
    index = pd.Index([f"r{i}" for i in range(len(EMPTIES) + 2)])
    s = pd.Series(["MARY SMITH", *EMPTIES, "MARY SMITH"], index=index, dtype=object)
    r = clean("person_name", s)
    assert CLEANERS["person_name"] is clean_person_name
    for part in (r.values, r.problems, r.rules):
        assert part.dtype == object and part.index.equals(index)
    assert r.values.tolist() == ["Mary Smith", *[None] * len(EMPTIES), "Mary Smith"]
    assert r.rules.tolist() == ["titlecase", *[None] * len(EMPTIES), "titlecase"]
    assert r.problems.isna().all()


SPLITS = [
    # Chinese: family first, compound surnames from the shipped list (3+ characters), titles separated
    ("王小明", "王", "小明", None, None), ("李娜", "李", "娜", None, None), ("王", "王", None, None, None),
    ("欧阳娜娜", "欧阳", "娜娜", None, None), ("司马相如", "司马", "相如", None, None), ("诸葛亮", "诸葛", "亮", None, None),
    ("上官婉儿", "上官", "婉儿", None, None), ("东方明", "东方", "明", None, None), ("皇甫嵩", "皇甫", "嵩", None, None),
    ("尉迟恭", "尉迟", "恭", None, None), ("公孙胜", "公孙", "胜", None, None), ("慕容复", "慕容", "复", None, None),
    ("令狐冲", "令狐", "冲", None, None), ("夏侯惇", "夏侯", "惇", None, None), ("长孙无忌", "长孙", "无忌", None, None),
    ("宇文泰", "宇文", "泰", None, None), ("歐陽修", "歐陽", "修", None, None),
    ("司马", "司", "马", None, None),  # two characters: a one-character family name and a given name
    ("王 小明", "王", "小明", None, None), ("欧阳 娜娜", "欧阳", "娜娜", None, None), ("王 小 明", "王", "小明", None, None),
    ("王先生", "王", None, None, "先生"), ("李女士", "李", None, None, "女士"), ("张小明经理", "张", "小明", None, "经理"),
    ("李总", "李", None, None, "总"), ("欧阳先生", "欧阳", None, None, "先生"), ("王总监", "王", None, None, "总监"),
    ("迈克尔·乔丹", "乔丹", "迈克尔", None, None), ("　王小明　", "王", "小明", None, None),
    # Korean: one syllable, or a compound surname; Japanese at the space or where kanji turn into kana
    ("김민수", "김", "민수", None, None), ("이 민호", "이", "민호", None, None), ("남궁민", "남궁", "민", None, None),
    ("황보영", "황보", "영", None, None), ("山田 花子", "山田", "花子", None, None), ("田中はなこ", "田中", "はなこ", None, None),
    # Latin
    ("John Smith", "Smith", "John", None, None), ("Smith, John", "Smith", "John", None, None),
    ("Dr. John A. Smith Jr.", "Smith", "John A.", "Jr.", "Dr."), ("John Ronald Reuel Tolkien", "Tolkien", "John Ronald Reuel", None, None),
    ("Mr Smith", "Smith", None, None, "Mr"), ("Prof. Dr. Hans Müller", "Müller", "Hans", None, "Prof. Dr."),
    ("John Smith, Jr.", "Smith", "John", "Jr.", None), ("Smith Jr., John", "Smith", "John", "Jr.", None),
    ("Smith, Dr. John, PhD", "Smith", "John", "PhD", "Dr."), ("Martin Luther King III", "King", "Martin Luther", "III", None),
    ("Jane Doe MD", "Doe", "Jane", "MD", None), ("Mrs. Jane Doe-Smith", "Doe-Smith", "Jane", None, "Mrs."),
    ("Ludwig van Beethoven", "van Beethoven", "Ludwig", None, None), ("Juan de la Cruz", "de la Cruz", "Juan", None, None),
    ("Madonna", "Madonna", None, None, None), ("ZHANG Wei", "ZHANG", "Wei", None, None), ("John SMITH", "SMITH", "John", None, None),
    ("JOHN SMITH", "SMITH", "JOHN", None, None), ("Zhang De Hua", "Hua", "Zhang De", None, None),
    ("王 Tom", "王", "Tom", None, None),
]


@pytest.mark.parametrize(("raw", "family", "given", "suffix", "title"), SPLITS)
def test_split_full_name(raw, family, given, suffix, title):
    frame = split_full_name(pd.Series([raw], dtype=object))
    assert frame.iloc[0].tolist() == [family, given, suffix, title]


def test_split_full_name_frame_shape():
    s = pd.Series(["王小明", None, "John Smith", "", "王小明"], index=[9, 3, 5, 1, 0], dtype=object)
    frame = split_full_name(s)
    assert list(frame.columns) == ["family", "given", "suffix", "title"]
    assert frame.index.equals(s.index)
    assert all(str(dtype) == "object" for dtype in frame.dtypes)
    assert frame["family"].tolist() == ["王", None, "Smith", None, "王"]
    assert frame["given"].tolist() == ["小明", None, "John", None, "小明"]
    assert split_full_name(pd.Series([], dtype=object)).columns.tolist() == ["family", "given", "suffix", "title"]


@pytest.mark.parametrize(
    ("given", "family", "full"),
    [
        ("小明", "王", "王小明"), ("娜娜", "欧阳", "欧阳娜娜"), ("민수", "김", "김민수"), ("花子", "山田", "山田花子"),
        ("John", "Smith", "John Smith"), ("Ludwig", "van Beethoven", "Ludwig van Beethoven"),
        ("Tom", "王", "Tom 王"), (" John ", "Smith", "John Smith"),
        (None, "Smith", "Smith"), ("John", None, "John"), ("小明", np.nan, "小明"), (None, None, None), ("", "  ", None),
    ],
)
def test_join_name(given, family, full):
    result = join_name(pd.Series([given], dtype=object, index=[7]), pd.Series([family], dtype=object, index=[7]))
    assert result.index.tolist() == [7]
    assert result.iloc[0] == full


def test_join_name_round_trips_split():
    names = pd.Series(["王小明", "欧阳娜娜", "John Smith", "김민수"])
    parts = split_full_name(names)
    assert join_name(parts["given"], parts["family"]).tolist() == names.tolist()


@pytest.mark.parametrize(
    ("email", "role"),
    [
        ("info@acme.com", True), ("Sales@Acme.com", True), ("support@acme.com", True), ("admin@acme.com", True),
        ("contact@acme.com", True), ("office@acme.com", True), ("hr@acme.com", True), ("billing@acme.com", True),
        ("noreply@acme.com", True), ("no-reply@acme.com", True), ("do-not-reply@acme.com", True), ("webmaster@acme.com", True),
        ("marketing@acme.com", True), ("service@acme.cn", True), ("kefu@acme.cn", True), ("客服@acme.cn", True),
        ("sales2@acme.com", True), ("sales.cn@acme.com", True), ("support-apac@acme.com", True), ("info+crm@acme.com", True),
        ("mailto:INFO@acme.com", True), ("  hello@acme.com ", True),
        ("john.smith@acme.com", False), ("john.sales@acme.com", False), ("ar.rahman@acme.com", False), ("wang.xm@acme.cn", False),
        ("information.officer.li@acme.com", False), ("info", False), ("@acme.com", False), ("", False), (None, False), (np.nan, False),
    ],
)
def test_role_email(email, role):
    result = role_email(pd.Series([email], dtype=object, index=["k"]))
    assert result.dtype == bool and result.index.tolist() == ["k"]
    assert bool(result.iloc[0]) is role


GARBAGE = [
    "x" * 100_000, "😀👨‍👩‍👧🇨🇳", "\udcff", "@" * 40, "," * 40, ", , ,", "Dr.", "Mr Dr Jr", "·", "王·", "先生", "总", "'", "-", "a--b",
    [1, 2], {"a": 1}, object(), complex(1, 2), float("-inf"), 10**40, b"\xff\xfe", True, np.float32(2.5), "ǆ", "ß", "İSTANBUL",
]


def test_names_never_raise_on_garbage():
    s = pd.Series(GARBAGE, dtype=object)
    r = clean_person_name(s)
    assert len(r.values) == len(s) and r.problems.isna().all()
    frame = split_full_name(s)
    assert frame.shape == (len(s), 4)
    assert len(join_name(s, s.iloc[::-1].reset_index(drop=True))) == len(s)
    assert role_email(s).dtype == bool
