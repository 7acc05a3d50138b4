"""Synthetic CRM contacts with labelled duplicates, for the entity-resolution benchmark.

    python bench/synth_contacts.py --rows 1000000 --out bench/out/synth_1m.parquet \
        --truth bench/out/synth_1m.truth.parquet [--seed 1] [--dup-rate 0.3]

Output: one Parquet of contacts (`id` plus the canonical contact columns, all strings, missing values
None or occasionally "", rows in random order) and one truth Parquet (`id`, `entity_id`).
Deterministic for a seed; vectorised with numpy (per-value Python only for the few per cent of
values that get a typo, a case change, ...). 1M rows take ~18 s and ~1.8 GB peak RSS.

Noise model
-----------
People. 38% British, 37% American, 25% Chinese. Western first names and surnames come from real
frequency-ordered lists plus a synthetic tail (a few thousand names) drawn with a Zipf-like law, so
John, James, Smith and Jones are common and same-name strangers are frequent. Chinese people have
a surname drawn from the real surname frequencies (王 李 张 ... ~7% each) and a one- or two-character
given name from a Zipf over ~140 characters, so 王伟 / 张伟 / 李静 recur. 15% of Chinese people
also have an English name (David 王), used in work emails. Birth years ~N(1978, 13).

Households (hard negatives). ~12% of people share an address with 1-3 others of the same culture:
same street, city, postcode, often the same home landline, usually the same surname (a Chinese
spouse keeps their own), a different first name and a different date of birth; 8% of households
share one personal email.

Companies (hard negatives). 65% of people work for one of ~P/25 companies (Zipf-sized), and some
records give the company switchboard (shared by every employee, sometimes with an extension)
instead of the person's own number. Work emails follow a company pattern at the company domain.

Records. Each person has one original record and, for the duplicated ones (enough to reach
--dup-rate of the rows), 1-4 duplicates (62% / 24% / 9% / 5%). A record renders the person with
per-record choices (phone source and format, email source, date format, address abbreviations,
city and country spelling, company legal suffix); duplicates re-draw each choice with some
probability and then get CRM dirt, each independently:
  names    keyboard typos (insert / delete / adjacent-key substitute / transpose), nicknames
           (Robert -> Bob, ~110 formal names), swapped first/last, UPPER / lower case, extra spaces,
           full-width letters; "Last, First", a middle initial or a title in full_name.
  Chinese  Traditional characters (王晓明 -> 王曉明), homophone IME errors (伟 -> 玮, 张 -> 章),
           pinyin (Xiaoming Wang / WANG Xiaoming) or English-name (David Wang) renderings, the whole
           name in full_name (or last_name) only, full-width digits in addresses and phones.
  email    case, a dot added or removed in the local part, work vs personal address, the same local
           part at another provider, a domain typo (gmial.com), missing.
  phone    other formats (+44 20 7946 0958 / 020 7946 0958 / 02079460958, +86 138 1234 5678 /
           13812345678, +1 (415) 555-0100 / 415.555.0100 ...), mobile vs home vs switchboard,
           a wrong digit, missing.
  company  legal-suffix variants (Acme Ltd / ACME LIMITED / Acme; Inc. / Incorporated / ", Inc.";
           上海华信科技有限公司 / 华信科技 / 华信科技（上海）有限公司), & vs and, case, typos.
  address  Street/St/St., Road/Rd, flat or apartment dropped, Chinese address with or without the
           city and district, UK postcode spacing and case, US ZIP+4 and lost leading zeros, city
           aliases (NYC, 上海市, Shanghai), state and country spellings (CA / California, UK / GB).
  dob      format variants (1985-03-07, 07/03/1985, 3/7/1985, 7 Mar 1985, 19850307, 1985年3月7日),
           a day/month swap or an off-by-one day.
  missing  email, phone, street, postcode, state, company and dob dropped at realistic rates
           (higher in duplicates; date of birth is missing in about half the records).
4% of duplicates are exact copies of the original record (double imports).
"""

from __future__ import annotations

import argparse
import re
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

COLUMNS = ("id", "first_name", "last_name", "full_name", "email", "phone", "company", "street", "city",
           "postcode", "state", "country", "date_of_birth")
GB, US, CN = 0, 1, 2
CULTURE_P = (0.38, 0.37, 0.25)
DUP_COUNT_P = (0.62, 0.24, 0.09, 0.05)  # 1, 2, 3, 4 duplicates per duplicated person
MAX_DUP_RATE = 0.6
ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------

# frequency-ordered (roughly), British and American together
_MALE = """James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel
Matthew Anthony Mark Paul Steven Andrew Kenneth Joshua Kevin Brian George Timothy Ronald Edward Jason
Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel
Gregory Alexander Frank Patrick Raymond Jack Dennis Jerry Tyler Aaron Oliver Harry Adam Nathan Henry
Douglas Zachary Peter Kyle Ethan Walter Noah Jeremy Christian Keith Roger Terry Gerald Harold Sean
Austin Carl Arthur Lawrence Dylan Jesse Jordan Bryan Billy Joe Bruce Gabriel Logan Albert Willie Alan
Wayne Elijah Randy Roy Vincent Ralph Eugene Russell Bobby Mason Philip Louis Charlie Oscar Leo Freddie
Alfie Archie Theodore Ian Stuart Graham Neil Colin Martin Simon Alistair Callum Liam Connor Rhys Owen
Gareth Dominic Nigel Trevor Barry Clive Derek Howard Stanley Leonard Frederick Reginald Clifford
Bradley Mitchell Cameron Maximilian Nathaniel Francis Hugh Rupert Toby Max Luke Lewis Jamie Ross Craig
Darren Lee Dean Marcus Joel Shane Kieran Declan Aidan Finn Hamish Angus Euan Ewan Alfred Terence
Randall Jeremiah Travis Chad Derrick Curtis Troy Victor Jimmy Johnny Tony Micheal Leon Malcolm Duncan
Rory Brendan Desmond Gordon Murray Ernest Edwin Herbert Sidney Percy Cecil Norman Leslie Dale Glenn""".split()
_FEMALE = """Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty
Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah Stephanie
Rebecca Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela Emma Nicole Helen Samantha
Katherine Christine Debra Rachel Carolyn Janet Catherine Maria Heather Diane Ruth Julie Olivia Joyce
Virginia Victoria Kelly Lauren Christina Joan Evelyn Judith Megan Andrea Cheryl Hannah Jacqueline
Martha Gloria Teresa Ann Sara Madison Frances Kathryn Janice Jean Abigail Alice Judy Sophia Grace
Denise Amber Doris Marilyn Danielle Beverly Isabella Theresa Diana Natalie Brittany Charlotte Marie
Kayla Alexis Lori Amelia Isla Ava Mia Poppy Ella Lily Freya Evie Chloe Sophie Lucy Gemma Claire Louise
Joanne Zoe Holly Fiona Gillian Eleanor Harriet Penelope Rosemary Josephine Valerie Veronica Suzanne
Melanie Caroline Alexandra Gabrielle Madeline Allison Anne Jane Wendy Tracey Hayley Kirsty Leanne
Nicola Kerry Lindsay Shannon Bethany Jade Megan Paige Rosie Phoebe Imogen Ruby Matilda Florence Esther
Irene Edith Mildred Agnes Ethel Gladys Lillian Marjorie Vera Joy Yvonne Sheila Pauline Maureen
Rita Brenda Kathy Kate Tina""".split()
# English surnames first, then the immigrant names a British / American CRM is full of
_SURNAMES = """Smith Johnson Williams Brown Jones Miller Davis Taylor Wilson Garcia Anderson Thomas
Jackson White Harris Martin Thompson Moore Clark Lewis Robinson Walker Young Allen King Wright Scott
Green Baker Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans Turner Parker Collins
Edwards Stewart Morris Murphy Cook Rogers Morgan Cooper Reed Bailey Bell Kelly Howard Ward Cox
Richardson Wood Watson Brooks Bennett Gray James Hughes Price Myers Long Foster Sanders Ross Powell
Sullivan Russell Jenkins Perry Butler Barnes Fisher Henderson Coleman Simmons Patterson Jordan
Reynolds Hamilton Graham Alexander Wallace Griffin West Cole Hayes Gibson Bryant Ellis Stevens Murray
Ford Marshall Owens McDonald Harrison Kennedy Wells Woods Webb Tucker Freeman Burns Henry Snyder
Simpson Crawford Porter Mason Shaw Gordon Wagner Hunter Hicks Dixon Hunt Palmer Robertson Black Holmes
Stone Meyer Boyd Mills Warren Fox Rose Rice Schmidt Patel Ferguson Nichols Ryan Weaver Daniels
Stephens Gardner Payne Dunn Pierce Arnold Spencer Peters Hawkins Grant Hansen Hoffman Hart Elliott
Cunningham Knight Bradley O'Brien O'Connor O'Neill McCarthy MacDonald Khan Singh Ali Ahmed Davies
Lloyd Griffiths Pritchard Rees Jenkins Hopkins Pearce Chapman Lawrence Dawson Atkinson Barker Walsh
Kaur Shah Begum Hussain Rodriguez Martinez Hernandez Lopez Gonzalez Perez Sanchez Ramirez Torres
Flores Rivera Gomez Diaz Reyes Cruz Morales Ortiz Gutierrez Ramos Chavez Ruiz Alvarez Mendoza Castillo
Jimenez Romero Herrera Medina Fernandez Castro Vasquez Nguyen Tran Le Pham Kim Park Lee Wang Li Zhang
Chen Liu Yang Huang Zhao Wu Zhou Wong Chan Cohen Levy Friedman Schwartz Novak Kowalski Nowak Rossi
Russo Ferrari Esposito Bianchi Romano Silva Santos Costa Pereira Oliveira Murphy Byrne Doyle Quinn
Gallagher Kavanagh Fitzgerald McLaughlin McKenzie Fraser Hamilton Cameron Sinclair Lindsay Douglas
Armstrong Barrett Bishop Booth Bowen Burton Carr Chambers Clarke Cross Curtis Day Dean Fleming
Francis Gill Goodwin Hale Hall Hammond Harper Hayward Hewitt Holland Holt Hudson Hyde Jennings Kemp
Lamb Lane Little Lowe Lucas Marsh May Miles Newman Norman Norris Page Parsons Pearson Potter Reid
Riley Saunders Sharp Short Slater Steele Stevenson Sutton Swift Thornton Townsend Wade Walton Watts
Wheeler Whitehead Wilkinson Willis Wright Yates""".split()

# formal first name -> nicknames (~110 formal names, ~200 pairs)
NICKNAMES: dict[str, tuple[str, ...]] = {
    "Robert": ("Bob", "Rob", "Bobby"), "William": ("Bill", "Will", "Billy"), "Elizabeth": ("Liz", "Beth", "Lizzie", "Betty"),
    "Katherine": ("Kate", "Kathy", "Katie"), "Catherine": ("Cathy", "Kate", "Cath"), "Kathleen": ("Kathy", "Kath"),
    "Kathryn": ("Kathy", "Kate"), "Margaret": ("Maggie", "Peggy", "Meg"), "Richard": ("Rick", "Rich", "Dick"),
    "James": ("Jim", "Jimmy", "Jamie"), "John": ("Jack", "Johnny"), "Jonathan": ("Jon", "Jonny"),
    "Michael": ("Mike", "Mick", "Mikey"), "Thomas": ("Tom", "Tommy"), "Joseph": ("Joe", "Joey"),
    "Charles": ("Charlie", "Chuck", "Chas"), "Christopher": ("Chris", "Kit"), "Daniel": ("Dan", "Danny"),
    "David": ("Dave", "Davy"), "Edward": ("Ed", "Eddie", "Ted"), "Anthony": ("Tony", "Ant"), "Andrew": ("Andy", "Drew"),
    "Alexander": ("Alex", "Sandy", "Xander"), "Benjamin": ("Ben", "Benny"), "Matthew": ("Matt", "Matty"),
    "Nicholas": ("Nick", "Nicky"), "Samuel": ("Sam", "Sammy"), "Stephen": ("Steve", "Stevie"), "Steven": ("Steve",),
    "Timothy": ("Tim", "Timmy"), "Patrick": ("Pat", "Paddy"), "Peter": ("Pete",), "Philip": ("Phil",),
    "Gregory": ("Greg",), "Jeffrey": ("Jeff",), "Kenneth": ("Ken", "Kenny"), "Lawrence": ("Larry", "Laurie"),
    "Raymond": ("Ray",), "Ronald": ("Ron", "Ronnie"), "Donald": ("Don", "Donnie"), "Douglas": ("Doug", "Dougie"),
    "Gerald": ("Gerry", "Jerry"), "Harold": ("Harry", "Hal"), "Henry": ("Harry", "Hank"), "Frederick": ("Fred", "Freddie"),
    "Francis": ("Frank",), "Joshua": ("Josh",), "Zachary": ("Zach", "Zack"), "Jacob": ("Jake",), "Nathan": ("Nate",),
    "Nathaniel": ("Nate", "Nat"), "Vincent": ("Vince", "Vinnie"), "Leonard": ("Len", "Lenny", "Leo"),
    "Theodore": ("Ted", "Theo"), "Albert": ("Al", "Bert"), "Alfred": ("Alf", "Alfie"), "Eugene": ("Gene",),
    "Walter": ("Walt", "Wally"), "Arthur": ("Art", "Artie"), "Mitchell": ("Mitch",), "Gabriel": ("Gabe",),
    "Maximilian": ("Max",), "Oliver": ("Ollie",), "Dominic": ("Dom",), "Bradley": ("Brad",), "Cameron": ("Cam",),
    "Clifford": ("Cliff",), "Terence": ("Terry",), "Reginald": ("Reg", "Reggie"), "Stanley": ("Stan",),
    "Russell": ("Russ",), "Randall": ("Randy",), "Jeremy": ("Jez", "Jerry"), "Benedict": ("Ben",), "Desmond": ("Des",),
    "Herbert": ("Herb", "Bert"), "Sidney": ("Sid",), "Norman": ("Norm",), "Malcolm": ("Mal",), "Gordon": ("Gordy",),
    "Abigail": ("Abby", "Abbie"), "Alexandra": ("Alex", "Sasha", "Lexi"), "Amanda": ("Mandy",), "Barbara": ("Barb", "Babs"),
    "Deborah": ("Debbie", "Deb"), "Debra": ("Debbie", "Deb"), "Jennifer": ("Jen", "Jenny"), "Jessica": ("Jess", "Jessie"),
    "Rebecca": ("Becky", "Becca"), "Susan": ("Sue", "Susie"), "Patricia": ("Pat", "Patty", "Trish"),
    "Victoria": ("Vicky", "Tori"), "Christine": ("Chris", "Chrissy"), "Christina": ("Tina", "Chris"),
    "Samantha": ("Sam", "Sammy"), "Kimberly": ("Kim",), "Pamela": ("Pam",), "Cynthia": ("Cindy",),
    "Dorothy": ("Dot", "Dottie"), "Judith": ("Judy", "Jude"), "Jacqueline": ("Jackie",), "Josephine": ("Jo", "Josie"),
    "Melissa": ("Mel", "Missy"), "Melanie": ("Mel",), "Theresa": ("Terri", "Tess"), "Teresa": ("Terri", "Tess"),
    "Valerie": ("Val",), "Veronica": ("Ronnie", "Vera"), "Virginia": ("Ginny",), "Frances": ("Fran", "Frankie"),
    "Gillian": ("Jill", "Gill"), "Helen": ("Nell",), "Eleanor": ("Ellie", "Nell"), "Emily": ("Em", "Emmy"),
    "Isabella": ("Bella", "Izzy"), "Charlotte": ("Lottie", "Charlie"), "Olivia": ("Liv", "Livvy"), "Sophia": ("Sophie",),
    "Natalie": ("Nat",), "Caroline": ("Carrie", "Caro"), "Louise": ("Lou",), "Madeline": ("Maddie",),
    "Michelle": ("Shelley",), "Penelope": ("Penny",), "Stephanie": ("Steph",), "Suzanne": ("Suzy",),
    "Allison": ("Ally",), "Danielle": ("Dani",), "Gabrielle": ("Gabby",), "Rosemary": ("Rosie",),
    "Harriet": ("Hattie",), "Mary": ("Molly", "Polly"), "Ann": ("Annie",), "Anne": ("Annie",), "Sarah": ("Sally",),
    "Megan": ("Meg",), "Nicola": ("Nicky",), "Matilda": ("Tilly", "Tilda"), "Florence": ("Flo",), "Agnes": ("Aggie",),
}

# surname, pinyin, Traditional form ("-": the same), frequency (% of Chinese people)
_CN_SURNAMES = """王 wang - 7.25|李 li - 7.19|张 zhang 張 6.83|刘 liu 劉 5.38|陈 chen 陳 4.53|杨 yang 楊 3.08|
黄 huang 黃 2.23|赵 zhao 趙 2.29|吴 wu 吳 2.05|周 zhou - 2.05|徐 xu - 1.67|孙 sun 孫 1.54|马 ma 馬 1.29|
朱 zhu - 1.28|胡 hu - 1.31|郭 guo - 1.15|何 he - 1.18|高 gao - 1.0|林 lin - 1.0|罗 luo 羅 0.87|郑 zheng 鄭 0.8|
梁 liang - 0.8|谢 xie 謝 0.72|宋 song - 0.64|唐 tang - 0.62|许 xu 許 0.56|韩 han 韓 0.5|冯 feng 馮 0.5|
邓 deng 鄧 0.5|曹 cao - 0.47|彭 peng - 0.46|曾 zeng - 0.46|肖 xiao - 0.44|田 tian - 0.42|董 dong - 0.39|
袁 yuan - 0.38|潘 pan - 0.37|于 yu - 0.35|蒋 jiang 蔣 0.35|蔡 cai - 0.34|余 yu - 0.34|杜 du - 0.32|
叶 ye 葉 0.32|程 cheng - 0.31|苏 su 蘇 0.3|魏 wei - 0.3|丁 ding - 0.27|任 ren - 0.26|沈 shen - 0.26|
姚 yao - 0.26|卢 lu 盧 0.25|姜 jiang - 0.24|崔 cui - 0.24|钟 zhong 鍾 0.23|谭 tan 譚 0.23|陆 lu 陸 0.22|
汪 wang - 0.22|范 fan - 0.21|金 jin - 0.2|石 shi - 0.2|廖 liao - 0.19|贾 jia 賈 0.19|夏 xia - 0.18|
韦 wei 韋 0.17|付 fu - 0.17|方 fang - 0.17|白 bai - 0.16|邹 zou 鄒 0.16|孟 meng - 0.15|熊 xiong - 0.15|
秦 qin - 0.15|邱 qiu - 0.14|江 jiang - 0.14|尹 yin - 0.13|薛 xue - 0.13|闫 yan 閆 0.13|段 duan - 0.13|
雷 lei - 0.12|侯 hou - 0.12|龙 long 龍 0.12|史 shi - 0.12|陶 tao - 0.11|黎 li - 0.11|贺 he 賀 0.11|
顾 gu 顧 0.11|毛 mao - 0.1|郝 hao - 0.1|龚 gong 龔 0.1|邵 shao - 0.1|万 wan 萬 0.1|钱 qian 錢 0.1|
严 yan 嚴 0.1|覃 qin - 0.09|武 wu - 0.09|戴 dai - 0.09|莫 mo - 0.08|孔 kong - 0.08|向 xiang - 0.08|
汤 tang 湯 0.08"""

# given-name characters, frequency-ordered: character, pinyin, Traditional form ("-": the same)
_CN_GIVEN = """伟 wei 偉|芳 fang -|娜 na -|敏 min -|静 jing 靜|丽 li 麗|强 qiang -|磊 lei -|军 jun 軍|洋 yang -|
勇 yong -|艳 yan 艷|杰 jie 傑|娟 juan -|涛 tao 濤|明 ming -|超 chao -|秀 xiu -|英 ying -|霞 xia -|平 ping -|
刚 gang 剛|桂 gui -|华 hua 華|红 hong 紅|玉 yu -|兰 lan 蘭|萍 ping -|建 jian -|文 wen -|辉 hui 輝|力 li -|
斌 bin -|波 bo -|宁 ning 寧|鹏 peng 鵬|飞 fei 飛|云 yun 雲|梅 mei -|琳 lin -|婷 ting -|雪 xue -|晓 xiao 曉|
小 xiao -|欣 xin -|佳 jia -|俊 jun -|浩 hao -|宇 yu -|轩 xuan 軒|博 bo -|海 hai -|亮 liang -|峰 feng -|
志 zhi -|新 xin -|春 chun -|国 guo 國|东 dong 東|龙 long 龍|凤 feng 鳳|荣 rong 榮|庆 qing 慶|宏 hong -|
广 guang 廣|铭 ming 銘|莉 li -|玲 ling -|颖 ying 穎|慧 hui -|洁 jie 潔|琴 qin -|淑 shu -|珍 zhen -|丹 dan -|
燕 yan -|鑫 xin -|彬 bin -|晨 chen -|阳 yang 陽|子 zi -|梓 zi -|涵 han -|睿 rui -|嘉 jia -|怡 yi -|思 si -|
雨 yu -|然 ran -|一 yi -|家 jia -|天 tian -|成 cheng -|金 jin -|永 yong -|健 jian -|振 zhen -|立 li -|
光 guang -|美 mei -|晶 jing -|倩 qian -|蕾 lei -|璐 lu -|瑶 yao -|雯 wen -|妍 yan -|诗 shi 詩|悦 yue 悅|
泽 ze 澤|航 hang -|帆 fan -|凯 kai 凱|昊 hao -|鸿 hong 鴻|兵 bing -|林 lin -|宝 bao 寶|德 de -|安 an -|
福 fu -|祥 xiang -|贵 gui 貴|生 sheng -|忠 zhong -|良 liang -|顺 shun 順|江 jiang -|山 shan -|松 song -|
坤 kun -|义 yi 義|学 xue 學|晖 hui 暉|露 lu -|薇 wei -|芬 fen -|秋 qiu -|菊 ju -|霖 lin -|毅 yi -|
诚 cheng 誠|伦 lun 倫|琪 qi -|瑞 rui -|婧 jing -|楠 nan -|昕 xin -|晗 han -|卓 zhuo -|逸 yi -"""

# homophones a pinyin IME offers for the same syllable (typing errors in Chinese names)
_HOMOPHONES = """伟玮炜 明铭鸣 丽莉俐 静晶婧 军君 峰锋丰 杰洁 婷亭 玲铃 燕艳 红宏虹 芳方 斌彬 涛滔 辉晖
云芸 刚钢 勇永 鹏朋 欣鑫昕 宇雨 佳嘉 晓小 雯文 瑶遥 倩茜 立力 林琳霖 阳洋 浩昊 敏珉 娟鹃 华骅 俊骏
磊蕾 强蔷 梅玫 晨辰 涵寒 睿锐 怡宜 思斯 然冉 颖莹 慧惠 凯恺 张章 王汪 李黎 徐许 吴武 肖萧"""

# name, aliases, county, postcode districts, dialling area (no trunk 0), weight
_GB_CITIES = [
    ("London", (), "Greater London", "SW1A SW3 SW11 SW19 SE1 SE10 SE15 E1 E2 E14 E17 EC1A EC2V N1 N7 N16 NW1 NW3 NW6 W1 W2 W4 W8 WC1 WC2", "20", 14),
    ("Manchester", (), "Greater Manchester", "M1 M2 M3 M4 M13 M14 M20 M21", "161", 7),
    ("Birmingham", (), "West Midlands", "B1 B2 B3 B5 B13 B15 B29", "121", 7),
    ("Leeds", (), "West Yorkshire", "LS1 LS2 LS6 LS8 LS11", "113", 5),
    ("Glasgow", (), "Lanarkshire", "G1 G2 G3 G11 G12", "141", 5),
    ("Liverpool", (), "Merseyside", "L1 L2 L3 L8 L17 L18", "151", 4),
    ("Bristol", (), "Avon", "BS1 BS2 BS6 BS8", "117", 4),
    ("Edinburgh", (), "Midlothian", "EH1 EH2 EH3 EH10", "131", 4),
    ("Sheffield", (), "South Yorkshire", "S1 S2 S10 S11", "114", 3),
    ("Cardiff", (), "South Glamorgan", "CF10 CF11 CF14 CF24", "29", 3),
    ("Newcastle upon Tyne", ("Newcastle",), "Tyne and Wear", "NE1 NE2 NE4 NE6", "191", 3),
    ("Nottingham", (), "Nottinghamshire", "NG1 NG2 NG7", "115", 3),
    ("Leicester", (), "Leicestershire", "LE1 LE2 LE3", "116", 2),
    ("Cambridge", (), "Cambridgeshire", "CB1 CB2 CB3 CB4", "1223", 2),
    ("Oxford", (), "Oxfordshire", "OX1 OX2 OX4", "1865", 2),
    ("Brighton", ("Brighton and Hove",), "East Sussex", "BN1 BN2 BN3", "1273", 2),
    ("Reading", (), "Berkshire", "RG1 RG2 RG4", "118", 2),
    ("Belfast", (), "County Antrim", "BT1 BT7 BT9", "28", 2),
    ("Southampton", (), "Hampshire", "SO14 SO15 SO17", "23", 2),
    ("Coventry", (), "West Midlands", "CV1 CV2 CV5", "24", 2),
]
# name, aliases, state code, state name, ZIP prefixes (3 digits), area codes, weight
_US_CITIES = [
    ("New York", ("New York City", "NYC"), "NY", "New York", "100 101 102 103 104", "212 646 917", 12),
    ("Los Angeles", ("LA",), "CA", "California", "900 900 901", "213 310 323", 9),
    ("Chicago", (), "IL", "Illinois", "606", "312 773", 7),
    ("Houston", (), "TX", "Texas", "770", "713 832", 5),
    ("San Francisco", ("SF", "San Fran"), "CA", "California", "941", "415 628", 5),
    ("Seattle", (), "WA", "Washington", "981", "206", 4),
    ("Boston", (), "MA", "Massachusetts", "021", "617 857", 4),
    ("Austin", (), "TX", "Texas", "787", "512 737", 3),
    ("Miami", (), "FL", "Florida", "331", "305 786", 3),
    ("Atlanta", (), "GA", "Georgia", "303", "404 470", 3),
    ("Denver", (), "CO", "Colorado", "802", "303 720", 3),
    ("Phoenix", (), "AZ", "Arizona", "850", "602 480", 3),
    ("Philadelphia", ("Philly",), "PA", "Pennsylvania", "191", "215 267", 3),
    ("San Diego", (), "CA", "California", "921", "619 858", 3),
    ("Dallas", (), "TX", "Texas", "752", "214 469", 3),
    ("Portland", (), "OR", "Oregon", "972", "503 971", 2),
    ("Minneapolis", (), "MN", "Minnesota", "554", "612", 2),
    ("Washington", ("Washington DC", "Washington, D.C."), "DC", "District of Columbia", "200", "202", 3),
    ("Newark", (), "NJ", "New Jersey", "071", "973", 1),
    ("Jersey City", (), "NJ", "New Jersey", "073", "201", 1),
]
# name, pinyin, province, province pinyin, postcode prefix, area code, districts, weight
_CN_CITIES = [
    ("上海", "Shanghai", "上海市", "Shanghai", "200", "21", "浦东新区 徐汇区 静安区 黄浦区 长宁区 闵行区 杨浦区 普陀区", 18),
    ("北京", "Beijing", "北京市", "Beijing", "100", "10", "朝阳区 海淀区 东城区 西城区 丰台区 通州区", 16),
    ("广州", "Guangzhou", "广东省", "Guangdong", "510", "20", "天河区 越秀区 海珠区 白云区 番禺区", 9),
    ("深圳", "Shenzhen", "广东省", "Guangdong", "518", "755", "南山区 福田区 罗湖区 宝安区 龙岗区", 10),
    ("杭州", "Hangzhou", "浙江省", "Zhejiang", "310", "571", "西湖区 上城区 拱墅区 滨江区 余杭区", 6),
    ("成都", "Chengdu", "四川省", "Sichuan", "610", "28", "锦江区 武侯区 青羊区 成华区 金牛区", 6),
    ("南京", "Nanjing", "江苏省", "Jiangsu", "210", "25", "鼓楼区 玄武区 建邺区 秦淮区", 4),
    ("武汉", "Wuhan", "湖北省", "Hubei", "430", "27", "武昌区 江汉区 洪山区 江岸区", 4),
    ("天津", "Tianjin", "天津市", "Tianjin", "300", "22", "和平区 南开区 河西区 河东区", 4),
    ("重庆", "Chongqing", "重庆市", "Chongqing", "400", "23", "渝中区 江北区 南岸区 沙坪坝区", 4),
    ("苏州", "Suzhou", "江苏省", "Jiangsu", "215", "512", "姑苏区 吴中区 相城区 工业园区", 3),
    ("西安", "Xi'an", "陕西省", "Shaanxi", "710", "29", "雁塔区 碑林区 莲湖区 未央区", 3),
]
_COUNTRY = {
    GB: (("United Kingdom", 0.5), ("UK", 0.25), ("GB", 0.1), ("Great Britain", 0.05), ("England", 0.1)),
    US: (("United States", 0.45), ("USA", 0.3), ("US", 0.15), ("United States of America", 0.07), ("U.S.", 0.03)),
    CN: (("中国", 0.45), ("China", 0.3), ("CN", 0.1), ("中华人民共和国", 0.05), ("PRC", 0.05), ("People's Republic of China", 0.05)),
}

_GB_STREETS = """High Church Station Victoria Park London Manor Mill Green Albert Windsor York Grange Springfield
Highfield Kingsway Broadway Chester Richmond Oxford Cambridge Alexandra Elm Oak Ash Beech Cedar Maple Willow
Chapel School North South West New Queen's King's Marlborough Stanley Clarence Trinity Portland Belmont
Westfield Orchard Meadow Brook Grove Hillside Woodland Rectory Vicarage Castle Bridge Water Market""".split()
_US_STREETS = """Main Oak Pine Maple Cedar Elm Washington Lake Hill Park Sunset Lincoln Jefferson Madison Franklin
Highland Church Market Mission Broadway Spring River Forest Valley Walnut Chestnut Willow Jackson Adams
Monroe Union Center Ridge Meadow Cherry Hickory Magnolia Laurel 1st 2nd 3rd 4th 5th 6th 7th 8th 9th 10th""".split()
# full, abbreviation (no period)
_GB_TYPES = [("Street", "St"), ("Road", "Rd"), ("Lane", "Ln"), ("Avenue", "Ave"), ("Close", "Cl"), ("Drive", "Dr"),
             ("Way", "Way"), ("Gardens", "Gdns"), ("Crescent", "Cres"), ("Place", "Pl"), ("Court", "Ct"),
             ("Terrace", "Terr"), ("Grove", "Gr"), ("Square", "Sq"), ("Mews", "Mews")]
_GB_TYPE_P = [0.26, 0.3, 0.08, 0.07, 0.06, 0.05, 0.03, 0.03, 0.03, 0.02, 0.02, 0.02, 0.01, 0.01, 0.01]
_US_TYPES = [("Street", "St"), ("Avenue", "Ave"), ("Boulevard", "Blvd"), ("Road", "Rd"), ("Drive", "Dr"), ("Lane", "Ln"),
             ("Court", "Ct"), ("Place", "Pl"), ("Way", "Way"), ("Parkway", "Pkwy"), ("Terrace", "Ter")]
_US_TYPE_P = [0.35, 0.25, 0.07, 0.08, 0.09, 0.05, 0.04, 0.03, 0.02, 0.01, 0.01]
_US_DIRS = [("North", "N"), ("South", "S"), ("East", "E"), ("West", "W")]
_CN_ROADS = """人民路 中山路 解放路 建设路 南京路 淮海路 张江路 世纪大道 和平路 新华路 朝阳路 东风路 学院路 科技路
文化路 青年路 胜利路 光明路 复兴路 延安路 北京路 长江路 黄河路 湖滨路 滨江大道 花园路 公园路 华山路 天山路 长宁路
江苏路 中华路 工业路 迎宾路 金融街 创业路 高新路 体育路 幸福路 友谊路 沿江路 滨河路 新村路 桥东路 环城路 站前路 东大街
西大街 南大街 北大街 府前路 东环路 西环路 南环路 北环路 经二路 纬一路 长安路 黄山路 泰山路 庐山路 珠江路 松花江路 嘉陵江路
青海路 西藏路 新疆路 四川路 云南路 贵州路 湖南路 广州路 天津路 重庆路 成都路 昆明路 太原路 兰州路 凤凰路 玉兰路 桂花路
梅园路 竹园路 杏花路 桃园路 丽水路 天府大道 滨海大道 深南大道 宝山路 漕溪路 衡山路 虹桥路 福州路 宜山路 龙华路""".split()

_PERSONAL_DOMAINS = {
    GB: (("gmail.com", .35), ("hotmail.co.uk", .14), ("yahoo.co.uk", .08), ("outlook.com", .1), ("btinternet.com", .08),
         ("icloud.com", .08), ("sky.com", .05), ("live.co.uk", .05), ("aol.com", .03), ("googlemail.com", .04)),
    US: (("gmail.com", .45), ("yahoo.com", .15), ("hotmail.com", .08), ("outlook.com", .1), ("icloud.com", .1),
         ("aol.com", .05), ("comcast.net", .04), ("msn.com", .03)),
    CN: (("qq.com", .4), ("163.com", .25), ("126.com", .1), ("sina.com", .06), ("gmail.com", .05), ("foxmail.com", .05),
         ("hotmail.com", .04), ("sohu.com", .03), ("139.com", .02)),
}
_DOMAIN_TYPOS = {"gmail.com": ("gmial.com", "gmail.co", "gamil.com", "gmail.con"), "hotmail.com": ("hotmial.com", "hotmail.co"),
                 "yahoo.com": ("yaho.com", "yahoo.co"), "outlook.com": ("outlok.com",), "hotmail.co.uk": ("hotmail.com", "hotmial.co.uk"),
                 "yahoo.co.uk": ("yahoo.com",), "icloud.com": ("iclound.com",), "qq.com": ("qq.con", "qq.cn"), "163.com": ("163.cn", "163.con")}

_CO_WORDS = """Acme Northwind Bluebird Summit Pinnacle Horizon Apex Vertex Crescent Evergreen Silverline Redwood Ironbridge
Harbour Meridian Beacon Cobalt Falcon Granite Lighthouse Oakwood Quantum Sterling Thames Vanguard Willow Zenith
Atlas Brightwater Cedar Clearview Copper Crown Delta Eagle Emerald Fairway Fusion Gateway Golden Highland Keystone
Lakeside Liberty Maple Northstar Orchid Phoenix Pioneer Riverside Sapphire Skyline Spectrum Stonebridge Sunrise
Trident Unity Westbrook Windsor Alpine Amber Arrow Aspen Aurora Birch Canyon Cardinal Coastal Compass Continental
Eastgate Echo Everest Frontier Global Heritage Imperial Infinity Jade Kingfisher Landmark Legacy Lotus Magnolia
Matrix Metro Monarch Nova Oasis Olympic Omega Pacific Paramount Premier Regal Saxon Sentinel Sovereign Titan
Triumph Victory Vista Bright Blue Red Green Silver""".split()
_CO_INDUSTRIES = """Logistics Consulting Software Systems Solutions Engineering Trading Holdings Capital Partners Group
Media Foods Healthcare Pharma Retail Construction Energy Technologies Analytics Design Marketing Finance Insurance
Properties Manufacturing Electronics Labs Networks Services Motors Textiles Supplies Industries Ventures Studios
Travel Communications Security Recruitment Architects Associates Interiors Digital""".split()
# legal-form families: spellings (with their separator) and the weights of the company's own spelling
_LEGAL = [
    ((" Ltd", " Limited", " Ltd.", " LTD", ""), (0.55, 0.3, 0.1, 0.05, 0.0)),        # 0 GB limited
    ((" plc", " PLC", " Plc", ""), (0.4, 0.5, 0.1, 0.0)),                            # 1 GB plc
    ((" LLP", " L.L.P.", ""), (0.9, 0.1, 0.0)),                                       # 2 GB LLP
    ((" Inc.", " Inc", ", Inc.", " Incorporated", ""), (0.5, 0.2, 0.2, 0.1, 0.0)),   # 3 US inc
    ((" LLC", " L.L.C.", ", LLC", ""), (0.75, 0.1, 0.15, 0.0)),                      # 4 US llc
    ((" Corp.", " Corporation", " Corp", ""), (0.5, 0.35, 0.15, 0.0)),               # 5 US corp
    (("",), (1.0,)),                                                                  # 6 none
]
_LEGAL_P = {GB: (0.72, 0.04, 0.06, 0.0, 0.0, 0.0, 0.18), US: (0.0, 0.0, 0.0, 0.45, 0.3, 0.12, 0.13)}
_CN_BRANDS = """华信 huaxin|东方 dongfang|恒通 hengtong|天成 tiancheng|金达 jinda|宏远 hongyuan|中科 zhongke|博瑞 borui|
瑞丰 ruifeng|明德 mingde|腾达 tengda|鼎盛 dingsheng|华泰 huatai|永安 yongan|盛世 shengshi|嘉禾 jiahe|安信 anxin|
宏图 hongtu|远景 yuanjing|星辰 xingchen|海纳 haina|联创 lianchuang|启明 qiming|信达 xinda|长城 changcheng|
万通 wantong|华美 huamei|锦程 jincheng|国信 guoxin|卓越 zhuoyue|恒达 hengda|富源 fuyuan|天宇 tianyu|正泰 zhengtai|
汇通 huitong|佳美 jiamei|立信 lixin|百川 baichuan|康泰 kangtai|环球 huanqiu|中联 zhonglian|诚信 chengxin|
光明 guangming|银河 yinhe|凯旋 kaixuan|蓝天 lantian|青松 qingsong|金桥 jinqiao|和信 hexin|瑞祥 ruixiang|
华通 huatong|东华 donghua|新科 xinke|易达 yida|鑫源 xinyuan|华宇 huayu|恒信 hengxin|天和 tianhe|众诚 zhongcheng"""
_CN_INDUSTRIES = """科技 tech|贸易 trade|电子 elec|信息技术 it|实业 group|投资 invest|咨询 consult|物流 logistics|
网络科技 net|生物科技 bio|建设 build|文化传媒 media|医药 pharma|机械 mach|服饰 fashion|食品 food|软件 soft|
能源 energy|教育科技 edu|置业 property"""
_CN_LEGAL = ("有限公司", "股份有限公司", "有限责任公司")
_CN_LEGAL_P = (0.72, 0.14, 0.14)

_MONTHS = "January February March April May June July August September October November December".split()
# date formats: {Y} year, {M2}/{D2} zero-padded, {M}/{D} not, {MON} Mar, {MONTH} March
_DOB_FORMATS = ("{Y}-{M2}-{D2}", "{D2}/{M2}/{Y}", "{M2}/{D2}/{Y}", "{Y}/{M}/{D}", "{D} {MON} {Y}", "{Y}{M2}{D2}",
                "{Y}年{M}月{D}日", "{MONTH} {D}, {Y}", "{D2}.{M2}.{Y}", "{M}/{D}/{Y}", "{D}/{M}/{Y}")
_DOB_P = {GB: (.3, .45, 0, 0, .1, .05, 0, 0, .05, 0, .05), US: (.3, 0, .4, 0, 0, .05, 0, .1, 0, .15, 0),
          CN: (.45, 0, 0, .25, 0, .1, .2, 0, 0, 0, 0)}

# phone kinds and their formats: {a} area / prefix, {b} {c} the subscriber groups
GB_MOB, GB_LAND, US_TEL, CN_MOB, CN_LAND = range(5)
_PHONE_FORMATS = {
    GB_MOB: (("+44 {a} {b}", .3), ("0{a} {b}", .3), ("0{a}{b}", .2), ("+44{a}{b}", .1), ("0044 {a} {b}", .04), ("+44 (0){a} {b}", .06)),
    GB_LAND: (("+44 {a} {b} {c}", .3), ("0{a} {b} {c}", .3), ("0{a}{b}{c}", .15), ("+44{a}{b}{c}", .1), ("(0{a}) {b} {c}", .1),
              ("+44 (0){a} {b} {c}", .05)),
    US_TEL: (("+1 ({a}) {b}-{c}", .2), ("{a}.{b}.{c}", .1), ("({a}) {b}-{c}", .3), ("{a}-{b}-{c}", .2), ("+1{a}{b}{c}", .1),
             ("1-{a}-{b}-{c}", .05), ("{a}{b}{c}", .05)),
    CN_MOB: (("+86 {a} {b} {c}", .2), ("{a}{b}{c}", .5), ("{a}-{b}-{c}", .1), ("+86{a}{b}{c}", .1), ("0086 {a} {b} {c}", .03),
             ("{a} {b} {c}", .07)),
    CN_LAND: (("+86 {a} {b} {c}", .15), ("0{a}-{b}{c}", .5), ("(0{a}) {b} {c}", .1), ("0{a}{b}{c}", .1), ("+86-{a}-{b}{c}", .05),
              ("0{a}-{b}-{c}", .1)),
}
_EXTENSIONS = {GB: (" ext. {x}", " ext {x}", " x{x}", " (ext {x})"), US: (" ext. {x}", " x{x}", " ext {x}", " #{x}"),
               CN: ("转{x}", "-{x}", " 转{x}", " ext.{x}")}

_CN_MOBILE = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "157", "158", "159",
              "166", "176", "177", "180", "181", "182", "183", "186", "187", "188", "189", "199")
_KEYBOARD = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_FULLWIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)} | {0x20: 0x3000}
_TITLES_M = ("Mr ", "Mr. ", "Dr ", "Dr. ")
_TITLES_F = ("Mrs ", "Ms ", "Ms. ", "Miss ", "Dr ")


def _split_table(text: str, sep: str = "|") -> list[list[str]]:
    return [item.split() for item in text.replace("\n", "").split(sep) if item.strip()]


def _zipf(n: int, k: float, s: float = 1.0, real: int | None = None, tail: float = 0.0) -> np.ndarray:
    """Zipf-like weights over n ranks; with `real`, ranks >= real (a synthetic tail) get `tail` of the mass."""
    w = 1.0 / (np.arange(1, n + 1) + k) ** s
    if real is None or real >= n:
        return w / w.sum()
    return np.concatenate([w[:real] / w[:real].sum() * (1 - tail), w[real:] / w[real:].sum() * tail])


def _neighbours() -> dict[str, str]:
    out: dict[str, str] = {}
    for r, row in enumerate(_KEYBOARD):
        for i, ch in enumerate(row):
            near = [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
            if r > 0:
                near += [_KEYBOARD[r - 1][j] for j in (i, i + 1) if 0 <= j < len(_KEYBOARD[r - 1])]
            if r + 1 < len(_KEYBOARD):
                near += [_KEYBOARD[r + 1][j] for j in (i - 1, i) if 0 <= j < len(_KEYBOARD[r + 1])]
            out[ch] = "".join(near)
    return out


_NEAR = _neighbours()


class _Tables:
    """Name pools and lookup arrays, built once (independent of the seed)."""

    def __init__(self) -> None:
        tail_rng = np.random.default_rng(20240601)  # the synthetic long tail is fixed, not seeded
        male = list(dict.fromkeys(_MALE))
        female = [n for n in dict.fromkeys(_FEMALE) if n not in male]
        pre = "Al Ber Bran Cal Cor Dar Dor Ed El Er Fen Gar Gil Hal Har Jar Jas Kel Ken Lan Lor Mal Mar Nor Os Per Quin Ral Ros Sel Tor Tre Val Wil Zan Bren Cor Dal Ev Jor".split()
        msuf = "den win ric ton ley ian en on ard as el us mond wald ford rick son".split()
        fsuf = "a ina elle ette ia anna een lyn ine issa ora ena ley ie".split()
        known = set(male) | set(female)
        mtail = [n for n in dict.fromkeys(p + s for p in pre for s in msuf) if n not in known]
        ftail = [n for n in dict.fromkeys(p + s for p in pre for s in fsuf) if n not in known and n not in mtail]
        n_real_m, n_real_f = len(male), len(female)
        male += [mtail[i] for i in tail_rng.permutation(len(mtail))]
        female += [ftail[i] for i in tail_rng.permutation(len(ftail))]
        self.first = np.array(male + female, dtype=object)
        self.n_male, self.n_female = len(male), len(female)
        self.male_p = _zipf(len(male), 6.0, 1.05, n_real_m, 0.06)
        self.female_p = _zipf(len(female), 6.0, 1.0, n_real_f, 0.08)

        surnames = list(dict.fromkeys(_SURNAMES))
        spre = "Ash Black Brad Brook Cald Craw Dun Fair Green Hall Hart Hay Holl Kings Lang Mill Mor New North Pem Rad Ray Red Ros Ship South Stan Stock Thorn Wad West Whit Wood Ald Bart Brom Chad Cran Eding Fen Gold Hather Lock Mar Pen Rams Sher Sud Wel".split()
        ssuf = "well worth ford ton ley by wood field ham more land bury combe shaw wick stone bridge dale hurst lock sby cott".split()
        known = set(surnames)
        stail = [n for n in dict.fromkeys(p + s for p in spre for s in ssuf) if n not in known]
        n_real = len(surnames)
        surnames += [stail[i] for i in tail_rng.permutation(len(stail))]
        self.surname = np.array(surnames, dtype=object)
        self.surname_p = _zipf(len(surnames), 20.0, 1.0, n_real, 0.15)
        # street names: the word lists plus surnames (Wilson Road, Baker Street)
        plain = [n for n in surnames[:n_real] if n.isalpha()]
        self.gb_streets = np.array(list(dict.fromkeys(_GB_STREETS + plain[:320])), dtype=object)
        self.us_streets = np.array(list(dict.fromkeys(_US_STREETS + plain[:220])), dtype=object)

        def email_safe(names: np.ndarray) -> np.ndarray:
            return np.array([re.sub(r"[^a-z0-9]", "", n.lower()) for n in names], dtype=object)

        self.first_email, self.surname_email = email_safe(self.first), email_safe(self.surname)
        self.first_initial = np.array([n[0].lower() for n in self.first], dtype=object)
        nick_of = {name: nicks for name, nicks in NICKNAMES.items()}
        self.nicks = [nick_of.get(n, ()) for n in self.first]
        self.has_nick = np.array([bool(x) for x in self.nicks])

        sur = _split_table(_CN_SURNAMES)
        self.cn_sur = np.array([s[0] for s in sur], dtype=object)
        self.cn_sur_py = np.array([s[1] for s in sur], dtype=object)
        self.cn_sur_pycap = np.array([s[1].capitalize() for s in sur], dtype=object)
        w = np.array([float(s[3]) for s in sur])
        self.cn_sur_p = w / w.sum()
        given = _split_table(_CN_GIVEN)
        self.cn_char = np.array([g[0] for g in given] + [""], dtype=object)  # index -1 -> ""
        self.cn_char_py = np.array([g[1] for g in given] + [""], dtype=object)
        self.cn_char_pycap = np.array([g[1].capitalize() for g in given] + [""], dtype=object)
        self.cn_char_p = _zipf(len(given), 4.0, 1.0)
        self.trad = str.maketrans({s[0]: s[2] for s in sur + given if s[2] != "-"})
        self.homophones: dict[str, str] = {}
        for group in _HOMOPHONES.split():
            for ch in group:
                self.homophones.setdefault(ch, "")
                self.homophones[ch] += group.replace(ch, "")

        # cities: one global table, culture-specific slices
        rows = []
        for name, aliases, county, pcs, area, w in _GB_CITIES:
            rows.append(dict(cult=GB, name=name, aliases=(name,) + aliases, states=(county,), post=pcs.split(), areas=[area], w=w))
        for name, aliases, code, state, zips, areas, w in _US_CITIES:
            rows.append(dict(cult=US, name=name, aliases=(name,) + aliases, states=(code, state), post=zips.split(), areas=areas.split(), w=w))
        for name, py, prov, prov_py, post, area, districts, w in _CN_CITIES:
            municipality = prov == name + "市"
            rows.append(dict(cult=CN, name=name, aliases=(name, name + "市", py), states=(prov, prov[:-1], prov_py) if not municipality else (prov, name, py),
                             post=[post], areas=[area], w=w, full=name + "市", districts=districts.split(), py=py))
        self.cities = rows
        self.city_cult = np.array([c["cult"] for c in rows])
        self.city_by_cult = {c: np.flatnonzero(self.city_cult == c) for c in (GB, US, CN)}
        self.city_p = {c: np.array([rows[i]["w"] for i in idx], float) / sum(rows[i]["w"] for i in idx) for c, idx in self.city_by_cult.items()}
        self.city_name = np.array([c["name"] for c in rows], dtype=object)
        self.city_full = np.array([c.get("full", c["name"]) for c in rows], dtype=object)
        self.n_alias = np.array([len(c["aliases"]) for c in rows])
        self.alias = np.array([[c["aliases"][min(j, len(c["aliases"]) - 1)] for j in range(3)] for c in rows], dtype=object)
        self.n_state = np.array([len(c["states"]) for c in rows])
        self.state = np.array([[c["states"][min(j, len(c["states"]) - 1)] for j in range(3)] for c in rows], dtype=object)
        self.n_post = np.array([len(c["post"]) for c in rows])
        self.post = np.array([[c["post"][j % len(c["post"])] for j in range(32)] for c in rows], dtype=object)
        self.n_area = np.array([len(c["areas"]) for c in rows])
        self.area = np.array([[c["areas"][j % len(c["areas"])] for j in range(4)] for c in rows], dtype=object)
        self.n_district = np.array([len(c.get("districts", [""])) for c in rows])
        self.district = np.array([[c.get("districts", [""])[j % len(c.get("districts", [""]))] for j in range(8)] for c in rows], dtype=object)
        self.city_py = np.array([c.get("py", c["name"]) for c in rows], dtype=object)

        self.brands = _split_table(_CN_BRANDS)
        self.cn_ind = _split_table(_CN_INDUSTRIES)


_TABLES: _Tables | None = None


def tables() -> _Tables:
    global _TABLES
    if _TABLES is None:
        _TABLES = _Tables()
    return _TABLES


# ---------------------------------------------------------------------------------------------
# Per-value perturbations (only ever applied to a few per cent of the values)
# ---------------------------------------------------------------------------------------------

def typo(s: str, u1: float, u2: float, u3: float) -> str:
    """One keyboard typo: insert, delete, substitute (adjacent key) or transpose a character."""
    n = len(s)
    if n < 2:
        return s
    op, pos = int(u1 * 4), min(int(u2 * n), n - 1)
    ch = s[pos]
    near = _NEAR.get(ch.lower(), "")
    if op == 0 and near:
        r = near[int(u3 * len(near))]
        return s[:pos] + (r.upper() if ch.isupper() else r) + s[pos + 1:]
    if op == 1 and n > 3:
        return s[:pos] + s[pos + 1:]
    if op == 2 or op == 0:
        r = ch if (u3 < 0.5 or not near) else near[int((u3 - 0.5) * 2 * len(near))]
        return s[:pos] + (r.lower() if pos else r) + s[pos:]
    pos = min(pos, n - 2)
    if s[pos] == s[pos + 1]:
        return s[:pos] + s[pos + 1:]
    return s[:pos] + s[pos + 1] + s[pos] + s[pos + 2:]


def homophone(s: str, u1: float, u2: float, u3: float) -> str:
    """A Chinese IME error: one character replaced by a homophone (伟 -> 玮); Latin text gets a typo."""
    t = tables()
    spots = [i for i, ch in enumerate(s) if ch in t.homophones]
    if not spots:
        return typo(s, u1, u2, u3) if s.isascii() else s
    i = spots[int(u2 * len(spots))]
    alts = t.homophones[s[i]]
    return s[:i] + alts[int(u3 * len(alts))] + s[i + 1:]


def change_case(s: str, u1: float, u2: float, u3: float) -> str:
    return s.upper() if u1 < 0.6 else s.lower()


def extra_spaces(s: str, u1: float, u2: float, u3: float) -> str:
    if u1 < 0.35:
        return s + " "
    if u1 < 0.55:
        return " " + s
    if " " in s:
        return s.replace(" ", "  ", 1)
    return s + "  "


def fullwidth(s: str, u1: float = 0.0, u2: float = 0.0, u3: float = 0.0) -> str:
    return s.translate(_FULLWIDTH)


def fullwidth_digits(s: str, u1: float = 0.0, u2: float = 0.0, u3: float = 0.0) -> str:
    return s.translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)})


def digit_typo(s: str, u1: float, u2: float, u3: float) -> str:
    spots = [i for i, ch in enumerate(s) if ch.isdigit()]
    if len(spots) < 4:
        return s
    half = len(spots) // 2
    i = spots[half + int(u2 * (len(spots) - half))]  # in the subscriber number, not the country / area code
    if u1 < 0.7:
        d = (int(s[i]) + 1 + int(u3 * 9)) % 10
        return s[:i] + str(d) + s[i + 1:]
    j = spots[spots.index(i) - 1]
    if s[i] == s[j]:
        return s[:i] + str((int(s[i]) + 1) % 10) + s[i + 1:]
    chars = list(s)
    chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


def email_case(s: str, u1: float, u2: float, u3: float) -> str:
    if u1 < 0.25:
        return s.upper()
    local, _, domain = s.partition("@")
    local = ".".join(p[:1].upper() + p[1:] for p in local.split("."))
    return f"{local}@{domain.capitalize() if u2 < 0.5 else domain}"


def email_typo(s: str, u1: float, u2: float, u3: float) -> str:
    local, _, domain = s.partition("@")
    if u1 < 0.4 and domain in _DOMAIN_TYPOS:
        alts = _DOMAIN_TYPOS[domain]
        return f"{local}@{alts[int(u3 * len(alts))]}"
    return f"{typo(local, u2, u3, u1)}@{domain}"


def _traditional(s: str, u1: float = 0.0, u2: float = 0.0, u3: float = 0.0) -> str:
    return s.translate(tables().trad)


# ---------------------------------------------------------------------------------------------
# Vectorised helpers
# ---------------------------------------------------------------------------------------------

def _fill(template: str, parts: dict[str, np.ndarray], rows: np.ndarray) -> np.ndarray:
    """template with {x} placeholders, filled row-wise from object arrays (indexed by rows)."""
    out = np.full(len(rows), "", dtype=object)
    for token in re.split(r"(\{\w+\})", template):
        if not token:
            continue
        if token.startswith("{"):
            out = out + parts[token[1:-1]][rows]
        else:
            out = out + token
    return out


def _choice(rng: np.random.Generator, options: tuple, n: int) -> np.ndarray:
    """Indices into options ((value, weight), ...) or weights, n draws."""
    w = np.array([o[1] if isinstance(o, tuple) else o for o in options], float)
    return rng.choice(len(w), size=n, p=w / w.sum())


def _map(rng: np.random.Generator, arr: np.ndarray, mask: np.ndarray, fn) -> None:
    """arr[i] = fn(arr[i], u1, u2, u3) where mask and the value is present (in place)."""
    idx = np.flatnonzero(mask)
    if not len(idx):
        return
    vals = arr[idx]
    u = rng.random((len(idx), 3)).tolist()
    out = np.empty(len(idx), dtype=object)
    out[:] = [None if v is None else fn(v, *r) for v, r in zip(vals, u)]
    arr[idx] = out


_PADDED: dict[int, np.ndarray] = {}
NUM = np.array([str(i) for i in range(10000)], dtype=object)  # int -> str by lookup (much faster than astype)


def _padded(width: int) -> np.ndarray:
    if width not in _PADDED:
        _PADDED[width] = np.array([str(i).zfill(width) for i in range(10 ** width)], dtype=object)
    return _PADDED[width]


def _digits(rng: np.random.Generator, n: int, width: int, low: int = 0) -> np.ndarray:
    """n zero-padded random numbers of `width` digits (first digit >= low) as strings."""
    if width <= 4:
        return _padded(width)[rng.integers(low * 10 ** (width - 1), 10 ** width, size=n)]
    head = width - 4
    return (_padded(head)[rng.integers(low * 10 ** (head - 1), 10 ** head, size=n)]
            + _padded(4)[rng.integers(0, 10 ** 4, size=n)])


def _uniq(values: np.ndarray, rng: np.random.Generator, suffix_at) -> np.ndarray:
    """Make values unique (the first keeps its value; later ones get digits from suffix_at(value, digits))."""
    for _ in range(6):
        clash = np.flatnonzero(pd.Series(values).duplicated().to_numpy())
        if not len(clash):
            return values
        num = NUM[rng.integers(1, 1000, size=len(clash))]
        values[clash] = np.array([suffix_at(v, x) for v, x in zip(values[clash], num)], dtype=object)
    return values


def _by_case(case: np.ndarray, build) -> np.ndarray:
    """out[i] = build(case[i], rows)[...]: each case's strings are only built for its own rows."""
    out = np.empty(len(case), dtype=object)
    for c in np.unique(case):
        rows = np.flatnonzero(case == c)
        out[rows] = build(int(c), rows)
    return out


# ---------------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------------

def _structure(rng: np.random.Generator, rows: int, dup_rate: float) -> tuple[int, np.ndarray]:
    """Number of people P and the person of each record (originals first: record i < P is person i)."""
    if not 0.0 <= dup_rate <= MAX_DUP_RATE:
        raise ValueError(f"--dup-rate must be between 0 and {MAX_DUP_RATE}")
    n_dup = int(round(rows * dup_rate))
    people = rows - n_dup
    if n_dup == 0:
        return people, np.arange(people)
    counts = rng.choice(np.arange(1, 5), size=people, p=DUP_COUNT_P)
    order = rng.permutation(people)
    cum = np.cumsum(counts[order])
    k = int(np.searchsorted(cum, n_dup))
    if k >= people:
        raise ValueError(f"--dup-rate {dup_rate} needs more duplicates than {people} people can have")
    dup_people = order[:k + 1]
    dup_counts = counts[dup_people].copy()
    dup_counts[-1] -= int(cum[k] - n_dup)
    return people, np.concatenate([np.arange(people), np.repeat(dup_people, dup_counts)])


def generate_arrays(rows: int, seed: int = 1, dup_rate: float = 0.3) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The contact columns (object arrays, generation order) and the person of each record."""
    t = tables()
    rng = np.random.default_rng(seed)
    P, ent = _structure(rng, rows, dup_rate)
    R = len(ent)
    dup = np.zeros(R, bool)
    dup[P:] = True

    def rate(p_orig: float, p_dup: float) -> np.ndarray:
        """Per record: True with probability p_orig in originals, p_dup in duplicates."""
        return rng.random(R) < np.where(dup, p_dup, p_orig)

    def reroll(person_choice: np.ndarray, fresh: np.ndarray, p_dup: float, p_orig: float = 0.0) -> np.ndarray:
        """The person's usual choice, re-drawn (fresh, per record) in some records."""
        out = person_choice[ent]
        m = rate(p_orig, p_dup)
        out[m] = fresh[m]
        return out

    # ---- people -------------------------------------------------------------------------------
    cult = rng.choice(3, size=P, p=CULTURE_P)
    cn = cult == CN
    female = rng.random(P) < 0.5
    fn = np.where(female, t.n_male + rng.choice(t.n_female, size=P, p=t.female_p), rng.choice(t.n_male, size=P, p=t.male_p))
    ln = rng.choice(len(t.surname), size=P, p=t.surname_p)
    middle = np.where(rng.random(P) < 0.35, rng.choice(list("ABCDEFGHJKLMNPRSTW"), size=P), "").astype(object)
    cs = rng.choice(len(t.cn_sur), size=P, p=t.cn_sur_p)
    g1 = rng.choice(len(t.cn_char_p), size=P, p=t.cn_char_p)
    g2 = np.where(rng.random(P) < 0.3, -1, rng.choice(len(t.cn_char_p), size=P, p=t.cn_char_p))
    has_en = cn & (rng.random(P) < 0.15)

    city = np.empty(P, int)
    for c in (GB, US, CN):
        m = cult == c
        city[m] = t.city_by_cult[c][rng.choice(len(t.city_by_cult[c]), size=int(m.sum()), p=t.city_p[c])]

    years = np.clip(np.round(rng.normal(1978, 13, size=P)), 1938, 2006).astype(int)
    dob = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]") + rng.integers(0, 365, size=P)

    # address parts
    house = np.select([cult == US, cult == GB], [rng.integers(1, 9999, size=P), rng.integers(1, 300, size=P)], rng.integers(1, 1500, size=P))
    house = np.where(rng.random(P) < 0.3, house % 90 + 1, house)  # low numbers are commoner
    st_name = np.where(cult == US, rng.integers(0, len(t.us_streets), size=P), rng.integers(0, len(t.gb_streets), size=P))
    st_type = np.where(cult == US, rng.choice(len(_US_TYPES), size=P, p=_US_TYPE_P), rng.choice(len(_GB_TYPES), size=P, p=_GB_TYPE_P))
    us_dir = np.where((cult == US) & (rng.random(P) < 0.15), rng.integers(0, 4, size=P), -1)
    unit = np.where(rng.random(P) < np.where(cult == US, 0.25, 0.15), rng.integers(1, 40, size=P), 0)
    unit_letter = rng.choice(list("ABCD"), size=P)
    cn_district = rng.integers(0, 8, size=P) % t.n_district[city]
    cn_road = rng.integers(0, len(_CN_ROADS), size=P)
    cn_lane = np.where((t.city_name[city] == "上海") & (rng.random(P) < 0.35), rng.integers(1, 999, size=P), 0)
    cn_room = np.where(rng.random(P) < 0.6, rng.integers(1, 32, size=P) * 100 + rng.integers(1, 9, size=P), 0)
    cn_bldg = np.where(rng.random(P) < 0.4, rng.integers(1, 30, size=P), 0)
    post_idx = np.where(cult == GB, st_name * 31 + st_type * 7 + city, rng.integers(0, 32, size=P)) % t.n_post[city]  # a street has one district
    letters = np.array(list("ABDEFGHJLNPQRSTUWXYZ"), dtype=object)
    inward = NUM[rng.integers(1, 10, size=P)] + letters[rng.integers(0, 20, size=P)] + letters[rng.integers(0, 20, size=P)]
    post_tail = _digits(rng, P, 3)
    zip_tail = _digits(rng, P, 2)
    zip4 = _digits(rng, P, 4)

    # phones: own mobile, home landline (heads of households mostly)
    area_idx = rng.integers(0, 4, size=P) % t.n_area[city]
    city_area = t.area[city, area_idx]
    mob_kind = np.select([cult == GB, cult == US], [GB_MOB, US_TEL], CN_MOB)
    mob_a, mob_b, mob_c = (np.empty(P, dtype=object) for _ in range(3))
    i = np.flatnonzero(cult == GB)  # 07700 900123
    mob_a[i], mob_b[i], mob_c[i] = "7" + _digits(rng, len(i), 3, 1), _digits(rng, len(i), 6), ""
    i = np.flatnonzero(cult == US)  # (415) 555-0100
    mob_a[i], mob_b[i], mob_c[i] = city_area[i], _digits(rng, len(i), 3, 2), _digits(rng, len(i), 4)
    i = np.flatnonzero(cult == CN)  # 138 1234 5678
    mob_a[i] = np.array(_CN_MOBILE, dtype=object)[rng.integers(0, len(_CN_MOBILE), size=len(i))]
    mob_b[i], mob_c[i] = _digits(rng, len(i), 4), _digits(rng, len(i), 4)
    has_mobile = rng.random(P) < 0.93
    land_kind = np.select([cult == GB, cult == US], [GB_LAND, US_TEL], CN_LAND)
    land_b, land_c = _landline_groups(rng, cult, city_area)
    has_land = rng.random(P) < 0.3

    # ---- households: shared address, phone and (mostly) surname; different first name and dob ----
    heads, members, rank = _households(rng, cult, 0.12)
    has_land[heads] |= rng.random(len(heads)) < 0.5
    for arr in (city, house, st_name, st_type, us_dir, unit, unit_letter, cn_district, cn_road, cn_lane, cn_room, cn_bldg,
                post_idx, inward, post_tail, zip_tail, zip4, city_area, land_b, land_c, has_land):
        arr[members] = arr[heads]
    same_name = np.where(cult[members] == CN, rank >= 2, rng.random(len(members)) < 0.85)
    ln[members] = np.where(same_name, ln[heads], ln[members])
    cs[members] = np.where(same_name, cs[heads], cs[members])
    clash = fn[members] == fn[heads]
    fn[members[clash]] = (fn[members[clash]] + 7) % len(t.first)
    g1[members] = np.where(g1[members] == g1[heads], (g1[members] + 3) % len(t.cn_char_p), g1[members])
    # spouse within 6 years; others a grown-up child (or, for a young head, a parent) 22-38 years apart
    gap = rng.integers(22 * 365, 38 * 365, size=len(members)).astype("timedelta64[D]")
    generation = np.where(dob[heads] + gap > np.datetime64("2006-12-31"), dob[heads] - gap, dob[heads] + gap)
    dob[members] = np.where(rank == 1, dob[heads] + rng.integers(-6 * 365, 6 * 365, size=len(members)), generation)
    years = dob.astype("datetime64[Y]").astype(int) + 1970

    # ---- display names, pinyin -----------------------------------------------------------------
    given, given_py, given_pycap, given_ini = (np.full(P, None, dtype=object) for _ in range(4))
    i = np.flatnonzero(cn)
    given[i] = t.cn_char[g1[i]] + t.cn_char[g2[i]]
    given_py[i] = t.cn_char_py[g1[i]] + t.cn_char_py[g2[i]]
    given_pycap[i] = t.cn_char_pycap[g1[i]] + t.cn_char_py[g2[i]]
    char_ini = np.array([p[:1] for p in t.cn_char_py], dtype=object)
    given_ini[i] = char_ini[g1[i]] + char_ini[g2[i]]
    en_fn = np.where(female, t.n_male + rng.choice(120, size=P), rng.choice(120, size=P))
    first_e = np.where(cn, given_py, t.first_email[fn])          # email-safe first name
    last_e = np.where(cn, t.cn_sur_py[cs], t.surname_email[ln])  # email-safe surname
    ini = np.where(cn, given_ini, t.first_initial[fn])

    # ---- companies -----------------------------------------------------------------------------
    comp = _companies(rng, t, P)
    employed = rng.random(P) < 0.65
    company = np.full(P, -1)
    for c in (GB, US, CN):
        m = employed & (cult == c)
        pool = np.flatnonzero(comp["cult"] == c)
        if len(pool) and m.any():
            company[m] = pool[rng.choice(len(pool), size=int(m.sum()), p=_zipf(len(pool), 20.0, 1.0))]
    employed = company >= 0
    extension = _digits(rng, P, 3, 1)

    # ---- emails --------------------------------------------------------------------------------
    personal, personal_alt = _personal_emails(rng, cult, first_e, last_e, ini, years)
    domains = {c: np.array([d for d, _ in _PERSONAL_DOMAINS[c]], dtype=object) for c in (GB, US, CN)}
    dom = np.empty(P, dtype=object)
    dom_other = np.empty(P, dtype=object)
    for c in (GB, US, CN):
        m = cult == c
        dom[m] = domains[c][_choice(rng, _PERSONAL_DOMAINS[c], int(m.sum()))]
        dom_other[m] = domains[c][_choice(rng, _PERSONAL_DOMAINS[c], int(m.sum()))]
    i = np.flatnonzero(cn & (dom == "qq.com") & (rng.random(P) < 0.6))  # QQ number
    personal[i] = personal_alt[i] = _digits(rng, len(i), 9, 1)
    i = np.flatnonzero(cn & (dom == "163.com") & (rng.random(P) < 0.3) & has_mobile)  # mobile number
    personal[i] = personal_alt[i] = mob_a[i] + mob_b[i] + mob_c[i]
    personal, personal_alt = _unique_locals(personal, personal_alt, dom, rng)
    email_p = personal + "@" + dom
    email_p_alt = personal_alt + "@" + dom
    email_p_other = np.where(dom_other == dom, email_p, personal + "@" + dom_other)
    i = np.flatnonzero(employed)
    work_dom = comp["domain"][company[i]]
    work_local = _work_local(comp["pattern"][company[i]], cn[i], has_en[i], t.first_email[en_fn[i]], first_e[i], last_e[i], ini[i])
    work_local, _ = _unique_locals(work_local, work_local.copy(), work_dom, rng)
    email_w = np.full(P, None, dtype=object)
    email_w[i] = work_local + "@" + work_dom
    shared = np.flatnonzero(np.isin(heads, heads[rng.random(len(heads)) < 0.08]))
    email_p[members[shared]] = email_p[heads[shared]]
    email_p_alt[members[shared]] = email_p_alt[heads[shared]]
    email_p_other[members[shared]] = email_p_other[heads[shared]]

    # ================================ records ====================================================
    rc = cult[ent]
    rwest, rcn = rc != CN, rc == CN
    cols: dict[str, np.ndarray] = {}

    # ---- names ---------------------------------------------------------------------------------
    # mode: 0 native, 1 pinyin (CN), 2 English name (CN), 3 nickname (West)
    mode = np.zeros(R, np.int8)
    mode[rcn & rate(0.02, 0.06)] = 1
    mode[rcn & has_en[ent] & rate(0.12, 0.15)] = 2
    mode[rwest & t.has_nick[fn[ent]] & rate(0.05, 0.12)] = 3
    fr = fn[ent]
    first = np.where(rcn, given[ent], t.first[fr])
    last = np.where(rcn, t.cn_sur[cs[ent]], t.surname[ln[ent]])
    m = mode == 1
    first[m], last[m] = given_pycap[ent[m]], t.cn_sur_pycap[cs[ent[m]]]
    m = mode == 2
    first[m], last[m] = t.first[en_fn[ent[m]]], t.cn_sur_pycap[cs[ent[m]]]
    idx = np.flatnonzero(mode == 3)
    u = rng.random(len(idx))
    first[idx] = [t.nicks[f][int(x * x * len(t.nicks[f]))] for f, x in zip(fr[idx], u)]
    hanzi = rcn & (mode == 0)
    _map(rng, first, hanzi & rate(0.0, 0.08), _traditional)
    _map(rng, last, hanzi & rate(0.0, 0.05), _traditional)
    _map(rng, first, hanzi & rate(0.005, 0.05), homophone)
    _map(rng, last, hanzi & rate(0.002, 0.02), homophone)
    latin = ~hanzi
    _map(rng, first, latin & rate(0.01, 0.07), typo)
    _map(rng, last, latin & rate(0.01, 0.07), typo)
    apos = latin & rate(0.0, 0.3)  # O'Brien -> OBrien
    last[apos] = np.array([v.replace("'", "") for v in last[apos]], dtype=object)
    _map(rng, first, latin & rate(0.015, 0.05), change_case)
    _map(rng, last, latin & rate(0.02, 0.06), change_case)
    upper_sur = (mode == 1) & rate(0.3, 0.3)  # WANG Xiaoming
    last[upper_sur] = np.array([v.upper() for v in last[upper_sur]], dtype=object)
    swap = rate(0.005, 0.03)
    first[swap], last[swap] = last[swap], first[swap].copy()
    # full name: the record's convention (Chinese characters: family name first, no space)
    full = np.empty(R, dtype=object)
    i = np.flatnonzero(hanzi)
    full[i] = last[i] + first[i]
    i = np.flatnonzero(~hanzi)
    full[i] = first[i] + " " + last[i]
    m = hanzi & rate(0.02, 0.05)
    full[m] = last[m] + " " + first[m]
    m = (mode == 1) & ~swap & rate(0.3, 0.3)
    full[m] = last[m] + " " + first[m]
    m = latin & ~swap & rate(0.01, 0.03)
    full[m] = last[m] + ", " + first[m]
    m = rwest & (middle[ent] != "") & rate(0.1, 0.15)
    full[m] = first[m] + " " + middle[ent[m]] + ". " + last[m]
    m = rwest & rate(0.02, 0.03)
    titles = np.where(female[ent[m]], np.array(_TITLES_F, dtype=object)[rng.integers(0, len(_TITLES_F), size=int(m.sum()))],
                      np.array(_TITLES_M, dtype=object)[rng.integers(0, len(_TITLES_M), size=int(m.sum()))])
    full[m] = titles + full[m]
    _map(rng, full, rate(0.01, 0.03), extra_spaces)
    only_full = np.where(rcn, rate(0.12, 0.15), rate(0.02, 0.03))
    first[only_full] = None
    last[only_full] = None
    m = hanzi & ~only_full & rate(0.02, 0.03)  # the whole name typed into the surname box
    last[m], first[m] = full[m], None
    _map(rng, first, rate(0.01, 0.03), extra_spaces)
    _map(rng, last, rate(0.01, 0.02), extra_spaces)
    _map(rng, first, rwest & rate(0.001, 0.005), fullwidth)
    _map(rng, full, rwest & rate(0.001, 0.005), fullwidth)
    cols["first_name"], cols["last_name"], cols["full_name"] = first, last, full

    # ---- email ---------------------------------------------------------------------------------
    work_first = employed & (rng.random(P) < 0.55)
    use_work = reroll(work_first, rng.random(R) < 0.5, 0.25) & employed[ent]
    email = np.where(use_work, email_w[ent], email_p[ent])
    m = ~use_work & rate(0.0, 0.06)
    email[m] = email_p_alt[ent[m]]
    m = ~use_work & rate(0.0, 0.05)
    email[m] = email_p_other[ent[m]]
    m = use_work & rate(0.0, 0.06)  # work address with the dot toggled
    email[m] = np.array([v.replace(".", "", 1) if "." in v.split("@")[0] else v for v in email[m]], dtype=object)
    _map(rng, email, rate(0.02, 0.08), email_case)
    _map(rng, email, rate(0.005, 0.03), email_typo)
    _map(rng, email, rate(0.005, 0.02), extra_spaces)
    _map(rng, email, rcn & rate(0.005, 0.02), fullwidth)
    cols["email"] = email

    # ---- phone ---------------------------------------------------------------------------------
    # source: 0 mobile, 1 home landline, 2 company switchboard
    pref = np.where(has_mobile, 0, np.where(has_land, 1, np.where(employed, 2, 0)))
    pref = np.where(employed & (rng.random(P) < 0.25), 2, pref)
    pref = np.where(has_land & (rng.random(P) < 0.2), 1, pref)
    fresh = rng.integers(0, 3, size=R)
    src = reroll(pref, fresh, 0.15)
    src = np.where((src == 1) & ~has_land[ent], pref[ent], src)
    src = np.where((src == 2) & ~employed[ent], pref[ent], src)
    src = np.where((src == 0) & ~has_mobile[ent], pref[ent], src)
    rcomp = np.maximum(company[ent], 0)
    kind = np.select([src == 0, src == 1], [mob_kind[ent], land_kind[ent]], comp["kind"][rcomp])
    pa_ = np.select([src == 0, src == 1], [mob_a[ent], city_area[ent]], comp["a"][rcomp])
    pb_ = np.select([src == 0, src == 1], [mob_b[ent], land_b[ent]], comp["b"][rcomp])
    pc_ = np.select([src == 0, src == 1], [mob_c[ent], land_c[ent]], comp["c"][rcomp])
    person_fmt_u = rng.random(P)[ent]
    fresh_u = rng.random(R)
    fmt_u = np.where(rate(0.0, 0.5), fresh_u, person_fmt_u)
    phone = np.empty(R, dtype=object)
    parts = {"a": pa_, "b": pb_, "c": pc_}
    for k, formats in _PHONE_FORMATS.items():
        cum = np.cumsum([w for _, w in formats])
        cum = cum / cum[-1]
        for j, (template, _) in enumerate(formats):
            lo = cum[j - 1] if j else 0.0
            rows_ = np.flatnonzero((kind == k) & (fmt_u >= lo) & ((fmt_u < cum[j]) | (j == len(formats) - 1)))
            if len(rows_):
                phone[rows_] = _fill(template, parts, rows_)
    ext = (src == 2) & rate(0.3, 0.3)
    ext_style = rng.integers(0, 4, size=R)
    for c in (GB, US, CN):
        for j, template in enumerate(_EXTENSIONS[c]):
            rows_ = np.flatnonzero(ext & (rc == c) & (ext_style == j))
            if len(rows_):
                phone[rows_] = phone[rows_] + _fill(template, {"x": extension[ent]}, rows_)
    _map(rng, phone, rate(0.002, 0.02), digit_typo)
    _map(rng, phone, rcn & rate(0.03, 0.06), fullwidth_digits)
    _map(rng, phone, rate(0.005, 0.02), extra_spaces)
    missing_phone = np.where(src == 0, ~has_mobile[ent], False)
    phone[missing_phone] = None
    cols["phone"] = phone
    del pa_, pb_, pc_, parts

    # ---- company -------------------------------------------------------------------------------
    has_comp = employed[ent]
    cols["company"] = _render_company(rng, comp, rcomp, has_comp, rate, reroll, company)

    # ---- address -------------------------------------------------------------------------------
    rcity = city[ent]
    style = reroll(_choice(rng, (0.5, 0.4, 0.1), P), rng.integers(0, 3, size=R), 0.4)  # 0 full, 1 abbr, 2 abbr.
    cols["street"] = _render_street(rng, R, ent, rc, style, rate, reroll, house, st_name, st_type, us_dir, unit, unit_letter,
                                    cn_district, cn_road, cn_lane, cn_room, cn_bldg, city)
    alias_u = reroll(rng.random(P), rng.random(R), 0.25)  # 上海 / 上海市 / Shanghai, New York / NYC
    alias_j = np.where(rcn, (alias_u > 0.55).astype(int) + (alias_u > 0.85), (alias_u > 0.8).astype(int) + (alias_u > 0.93))
    alias_j = np.minimum(alias_j, t.n_alias[rcity] - 1)
    city_col = t.alias[rcity, alias_j].copy()
    _map(rng, city_col, rwest & rate(0.02, 0.06), change_case)
    _map(rng, city_col, rwest & rate(0.002, 0.02), typo)
    _map(rng, city_col, rate(0.005, 0.02), extra_spaces)
    cols["city"] = city_col

    district = t.post[rcity, post_idx[ent]]
    post = np.empty(R, dtype=object)
    i = np.flatnonzero(rc == GB)  # SW1A 1AA
    post[i] = district[i] + " " + inward[ent[i]]
    i = np.flatnonzero(rc == US)  # 94103
    post[i] = district[i] + zip_tail[ent[i]]
    i = np.flatnonzero(rc == CN)  # 200120
    post[i] = district[i] + post_tail[ent[i]]
    del district
    m = (rc == GB) & rate(0.05, 0.15)
    post[m] = np.array([v.replace(" ", "") for v in post[m]], dtype=object)
    _map(rng, post, (rc == GB) & rate(0.03, 0.06), change_case)
    m = (rc == US) & rate(0.08, 0.12)
    post[m] = post[m] + "-" + zip4[ent[m]]
    m = (rc == US) & rate(0.05, 0.3)
    post[m] = np.array([v.lstrip("0") for v in post[m]], dtype=object)  # Excel ate the leading zero
    _map(rng, post, rate(0.002, 0.01), digit_typo)
    _map(rng, post, rcn & rate(0.02, 0.04), fullwidth_digits)
    cols["postcode"] = post

    state_u = reroll(rng.random(P), rng.random(R), 0.25)
    state_j = np.minimum((state_u > 0.6).astype(int) + (state_u > 0.9), t.n_state[rcity] - 1)
    cols["state"] = t.state[rcity, state_j].copy()
    _map(rng, cols["state"], rwest & rate(0.01, 0.03), change_case)

    country = np.empty(R, dtype=object)
    country_u = reroll(rng.random(P), rng.random(R), 0.3)
    for c in (GB, US, CN):
        names = np.array([n for n, _ in _COUNTRY[c]], dtype=object)
        cum = np.cumsum([w for _, w in _COUNTRY[c]])
        m = rc == c
        country[m] = names[np.minimum(np.searchsorted(cum / cum[-1], country_u[m], side="right"), len(names) - 1)]
    _map(rng, country, rwest & rate(0.01, 0.03), change_case)
    cols["country"] = country

    # ---- date of birth -------------------------------------------------------------------------
    cols["date_of_birth"] = _render_dob(rng, R, ent, rc, dob, rate, reroll, P)

    # ---- missing values ------------------------------------------------------------------------
    full_kept = cols["full_name"].copy()
    drop = {
        "email": (0.08, 0.18), "phone": (0.12, 0.22), "company": (0.05, 0.15), "street": (0.18, 0.28),
        "city": (0.04, 0.08), "postcode": (0.15, 0.25), "state": (0.35, 0.45), "country": (0.12, 0.2),
        "date_of_birth": (0.45, 0.55), "full_name": (0.03, 0.05), "first_name": (0.01, 0.02), "last_name": (0.005, 0.01),
    }
    for name, (p_orig, p_dup) in drop.items():
        m = rate(p_orig, p_dup)
        empty = m & (rng.random(R) < 0.1)
        cols[name][m] = None
        cols[name][empty] = ""
    # a record with no name at all is not a contact: give it back its full name
    no_name = np.ones(R, bool)
    for name in ("first_name", "last_name", "full_name"):
        no_name &= pd.isna(cols[name]) | (cols[name] == "")
    cols["full_name"][no_name] = full_kept[no_name]

    # ---- exact copies of the original (double imports) -------------------------------------------
    copy = dup & (rng.random(R) < 0.04)
    for name in cols:
        cols[name][copy] = cols[name][ent[copy]]
    return cols, ent


def _landline_groups(rng: np.random.Generator, cult: np.ndarray, area: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Subscriber groups of a landline in the given area (lengths follow the area code)."""
    P = len(cult)
    alen = np.array([len(a) for a in area])
    b = np.empty(P, dtype=object)
    c = np.empty(P, dtype=object)
    gb, us, cn = cult == GB, cult == US, cult == CN
    m = gb & (alen == 2)   # London 020 7946 0958
    b[m], c[m] = _digits(rng, int(m.sum()), 4, 2), _digits(rng, int(m.sum()), 4)
    m = gb & (alen == 3)   # 0161 496 0123
    b[m], c[m] = _digits(rng, int(m.sum()), 3, 2), _digits(rng, int(m.sum()), 4)
    m = gb & (alen == 4)   # 01223 496 012
    b[m], c[m] = _digits(rng, int(m.sum()), 3, 2), _digits(rng, int(m.sum()), 3)
    b[us], c[us] = _digits(rng, int(us.sum()), 3, 2), _digits(rng, int(us.sum()), 4)
    b[cn], c[cn] = _digits(rng, int(cn.sum()), 4, 2), _digits(rng, int(cn.sum()), 4)
    return b, c


def _households(rng: np.random.Generator, cult: np.ndarray, share: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(head, member, rank) for every non-head member of a household; rank 1 is the spouse."""
    heads, members, ranks = [], [], []
    for c in (GB, US, CN):
        pool = rng.permutation(np.flatnonzero(cult == c))
        n = int(len(pool) * share)
        if n < 2:
            continue
        sizes = rng.choice([2, 3, 4], size=n // 2 + 1, p=[0.6, 0.3, 0.1])
        ends = np.cumsum(sizes)
        sizes = sizes[ends <= n]
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        group = np.repeat(np.arange(len(sizes)), sizes)
        pos = np.arange(int(sizes.sum()))
        rank = pos - starts[group]
        m = rank > 0
        heads.append(pool[starts[group][m]])
        members.append(pool[pos[m]])
        ranks.append(rank[m])
    if not heads:
        e = np.array([], int)
        return e, e, e
    return np.concatenate(heads), np.concatenate(members), np.concatenate(ranks)


def _companies(rng: np.random.Generator, t: _Tables, P: int) -> dict[str, np.ndarray]:
    """Company table: name parts, legal form, domain, switchboard, email pattern, culture."""
    C = max(30, P // 25)
    ccult = rng.choice(3, size=C, p=CULTURE_P)
    ccity = np.empty(C, int)
    for c in (GB, US, CN):
        m = ccult == c
        ccity[m] = t.city_by_cult[c][rng.choice(len(t.city_by_cult[c]), size=int(m.sum()), p=t.city_p[c])]
    words = np.array(_CO_WORDS, dtype=object)
    inds = np.array(_CO_INDUSTRIES, dtype=object)
    sur = t.surname[:300]
    i1 = rng.integers(0, len(words), C)
    w1, w2 = words[i1], words[(i1 + rng.integers(1, len(words), C)) % len(words)]
    ind = inds[rng.integers(0, len(inds), C)]
    s1, s2 = sur[rng.integers(0, len(sur), C)], sur[rng.integers(0, len(sur), C)]
    pattern = rng.choice(5, size=C, p=[0.45, 0.15, 0.15, 0.15, 0.1])
    # Northwind Logistics, Harris & Clark, Baker Engineering, Summit Apex Consulting, Acme
    base = np.select([pattern == 0, pattern == 1, pattern == 2, pattern == 3],
                     [w1 + " " + ind, s1 + " & " + s2, s1 + " " + ind, w1 + " " + w2 + " " + ind], w1)
    legal = np.zeros(C, int)
    for c in (GB, US):
        m = ccult == c
        legal[m] = rng.choice(len(_LEGAL), size=int(m.sum()), p=_LEGAL_P[c])
    spelling = np.zeros(C, int)
    for f, (_, weights) in enumerate(_LEGAL):
        m = legal == f
        spelling[m] = rng.choice(len(weights), size=int(m.sum()), p=weights)
    dom_base = np.array([re.sub(r"[^a-z0-9]", "", b.lower().replace("&", "and"))[:20] for b in base], dtype=object)
    tld = np.where(ccult == GB, np.where(rng.random(C) < 0.6, ".co.uk", ".com"), np.where(rng.random(C) < 0.8, ".com", ".io"))
    # Chinese companies: 上海华信科技有限公司
    brand_i = rng.integers(0, len(t.brands), C)
    cind_i = rng.integers(0, len(t.cn_ind), C)
    brand = np.array([b[0] for b in t.brands], dtype=object)[brand_i]
    brand_py = np.array([b[1] for b in t.brands], dtype=object)[brand_i]
    cind = np.array([i[0] for i in t.cn_ind], dtype=object)[cind_i]
    cind_en = np.array([i[1] for i in t.cn_ind], dtype=object)[cind_i]
    cn_legal = np.array(_CN_LEGAL, dtype=object)[rng.choice(3, size=C, p=_CN_LEGAL_P)]
    cn = ccult == CN
    base[cn] = brand[cn] + cind[cn]
    cn_dom = np.where(rng.random(C) < 0.5, brand_py + "-" + cind_en + ".com", np.where(rng.random(C) < 0.5, brand_py + ".com.cn", brand_py + cind_en + ".cn"))
    dom_base = np.where(cn, cn_dom, dom_base + tld)
    domain = _uniq(dom_base.copy(), rng, lambda v, x: v.replace(".", x + ".", 1))
    # switchboard in the company's city
    area = t.area[ccity, rng.integers(0, 4, C) % t.n_area[ccity]]
    b, c = _landline_groups(rng, ccult, area)
    kind = np.select([ccult == GB, ccult == US], [GB_LAND, US_TEL], CN_LAND)
    email_pattern = np.where(cn, rng.choice(4, size=C, p=[0.3, 0.2, 0.2, 0.3]), rng.choice(6, size=C, p=[0.55, 0.2, 0.03, 0.05, 0.05, 0.12]))
    return {"cult": ccult, "city": ccity, "base": base, "legal": legal, "spelling": spelling, "cn_legal": cn_legal,
            "domain": domain, "kind": kind, "a": area, "b": b, "c": c, "pattern": email_pattern}


def _personal_emails(rng, cult, first_e, last_e, ini, years) -> tuple[np.ndarray, np.ndarray]:
    """Personal local parts, and the same with a dot toggled (john.smith <-> johnsmith)."""
    P = len(cult)
    cn = cult == CN
    pat = np.where(cn, 10 + rng.choice(7, size=P, p=[0.25, 0.2, 0.15, 0.1, 0.1, 0.1, 0.1]),
                   rng.choice(9, size=P, p=[0.3, 0.15, 0.07, 0.08, 0.05, 0.1, 0.08, 0.05, 0.12]))
    num2, num3, yy, yyyy = _digits(rng, P, 2, 1), _digits(rng, P, 3, 1), _padded(2)[years % 100], NUM[years]
    local, alt = np.empty(P, dtype=object), np.empty(P, dtype=object)
    for case in np.unique(pat):
        i = np.flatnonzero(pat == case)
        f, l, n = first_e[i], last_e[i], ini[i]
        pair = {
            # British / American: john.smith, johnsmith, j.smith, jsmith, john_smith, john.smith42, johnsmith85,
            # smith.john, john517
            0: lambda: (f + "." + l, f + l), 1: lambda: (f + l, f + "." + l), 2: lambda: (n + "." + l, n + l),
            3: lambda: (n + l, n + "." + l), 4: lambda: (f + "_" + l, f + "." + l),
            5: lambda: (f + "." + l + num2[i], f + l + num2[i]), 6: lambda: (f + l + yy[i], f + "." + l + yy[i]),
            7: lambda: (l + "." + f, l + f), 8: lambda: (f + num3[i], f + num3[i]),
            # Chinese: xiaoming.wang, wangxiaoming, wang.xiaoming, xmwang, wangxm, wangxiaoming88, xiaoming1985
            10: lambda: (f + "." + l, f + l), 11: lambda: (l + f, l + "." + f), 12: lambda: (l + "." + f, l + f),
            13: lambda: (n + l, n + "." + l), 14: lambda: (l + n, l + "." + n), 15: lambda: (l + f + num2[i], l + "." + f + num2[i]),
            16: lambda: (f + yyyy[i], f + "." + yyyy[i]),
        }[int(case)]()
        local[i], alt[i] = pair
    return local, alt


def _work_local(pattern, cn, has_en, en_first, first_e, last_e, ini) -> np.ndarray:
    """Work-address local part, following the company's pattern."""
    case = np.where(cn, 10 + np.where((pattern == 3) & ~has_en, 0, np.minimum(pattern, 3)), pattern)

    def build(c: int, i: np.ndarray) -> np.ndarray:
        f, l, n = first_e[i], last_e[i], ini[i]
        return {0: lambda: f + "." + l, 1: lambda: n + l, 2: lambda: f, 3: lambda: f + "_" + l,
                4: lambda: f + np.array([s[:1] for s in l], dtype=object), 5: lambda: n + "." + l,
                10: lambda: f + "." + l, 11: lambda: l + f, 12: lambda: l + n, 13: lambda: en_first[i] + "." + l}[c]()
    return _by_case(case, build)


def _unique_locals(local: np.ndarray, alt: np.ndarray, domain: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Different people never share an address (dots ignored, as Gmail does): later ones get digits."""
    domain = pa.array(domain, pa.string())
    for _ in range(8):
        key = pc.binary_join_element_wise(pc.replace_substring(pa.array(local, pa.string()), ".", ""), domain, "@")
        codes = pc.dictionary_encode(key).indices.to_numpy(zero_copy_only=False)
        later = np.ones(len(codes), bool)
        later[np.unique(codes, return_index=True)[1]] = False  # the first holder of an address keeps it
        clash = np.flatnonzero(later)
        if not len(clash):
            break
        digits = NUM[rng.integers(1, 1000, size=len(clash))]
        local[clash] = local[clash] + digits
        alt[clash] = alt[clash] + digits
    return local, alt


def _render_company(rng, comp, rcomp, has_comp, rate, reroll, company) -> np.ndarray:
    t = tables()
    R = len(rcomp)
    out = np.full(R, None, dtype=object)
    cn = comp["cult"][rcomp] == CN
    # Western: base + legal spelling (the company's own, or another spelling of the family, or none)
    legal = comp["legal"][rcomp]
    spelling = comp["spelling"][rcomp].copy()
    m = rate(0.1, 0.35)
    n_sp = np.array([len(sp) for sp, _ in _LEGAL])[legal]
    spelling[m] = rng.integers(0, 100, size=int(m.sum())) % n_sp[m]
    offset = np.cumsum([0] + [len(sp) for sp, _ in _LEGAL])
    suffixes = np.array([x for sp, _ in _LEGAL for x in sp], dtype=object)
    i = np.flatnonzero(has_comp & ~cn)
    out[i] = comp["base"][rcomp[i]] + suffixes[offset[legal[i]] + spelling[i]]
    m = np.zeros(R, bool)
    m[i] = True
    m &= rate(0.05, 0.1)
    out[m] = np.array([v.replace(" & ", " and ") for v in out[m]], dtype=object)
    # Chinese: 0 上海华信科技有限公司 1 华信科技有限公司 2 华信科技 3 华信科技（上海）有限公司 4 上海华信科技
    form_p = [0.3, 0.25, 0.25, 0.1, 0.1]
    form = reroll(rng.choice(5, size=len(company), p=form_p), rng.choice(5, size=R, p=form_p), 0.45)
    i = np.flatnonzero(has_comp & cn)
    city = t.city_name[comp["city"][rcomp[i]]]
    base, cl = comp["base"][rcomp[i]], comp["cn_legal"][rcomp[i]]
    out[i] = _by_case(form[i], lambda f, j: {0: lambda: city[j] + base[j] + cl[j], 1: lambda: base[j] + cl[j], 2: lambda: base[j],
                                             3: lambda: base[j] + "（" + city[j] + "）" + cl[j], 4: lambda: city[j] + base[j]}[f]())
    m = np.zeros(R, bool)
    m[i] = form[i] == 3
    m &= rate(0.3, 0.3)
    out[m] = np.array([v.replace("（", "(").replace("）", ")") for v in out[m]], dtype=object)
    _map(rng, out, has_comp & ~cn & rate(0.03, 0.1), change_case)
    _map(rng, out, has_comp & ~cn & rate(0.005, 0.04), typo)
    _map(rng, out, has_comp & cn & rate(0.003, 0.02), homophone)
    _map(rng, out, has_comp & rate(0.01, 0.03), extra_spaces)
    return out


def _render_street(rng, R, ent, rc, style, rate, reroll, house, st_name, st_type, us_dir, unit, unit_letter,
                   cn_district, cn_road, cn_lane, cn_room, cn_bldg, city) -> np.ndarray:
    t = tables()
    street = np.empty(R, dtype=object)
    drop_unit = rate(0.05, 0.25)
    # British: [Flat 3, ]12 High Street / 3 12 High St / Flat 3 12 High St.
    # American: 1234 [N ]Oak Avenue[, Apartment 4B / Apt 4B / #4B]
    for c, names, types in ((GB, t.gb_streets, _GB_TYPES), (US, t.us_streets, _US_TYPES)):
        i = np.flatnonzero(rc == c)
        e, st = ent[i], style[i]
        spelled = np.array([[f, a, a + "." if a != f else a] for f, a in types], dtype=object)
        typ = spelled[np.minimum(st_type[e], len(types) - 1), st]
        name = names[np.minimum(st_name[e], len(names) - 1)]
        if c == US:
            dirs = np.array([[f + " ", a + " ", a + " "] for f, a in _US_DIRS] + [["", "", ""]], dtype=object)
            name = dirs[us_dir[e], st] + name
        s_ = NUM[house[e]] + " " + name + " " + typ
        u = unit[e]
        j = np.flatnonzero((u > 0) & ~drop_unit[i])
        ustr = NUM[u[j]]
        if c == GB:
            flat = np.array(["Flat ", "Flat ", "Apt "], dtype=object)[st[j]] + ustr + np.array([", ", " ", ", "], dtype=object)[st[j]]
            s_[j] = flat + s_[j]
        else:
            apt = np.array([", Apartment ", " Apt ", " #"], dtype=object)[st[j]] + ustr + unit_letter[e[j]].astype(object)
            s_[j] = s_[j] + apt
        street[i] = s_
    # Chinese: [上海市][浦东新区]张江路[123弄]45号[3栋][1202室]
    i = np.flatnonzero(rc == CN)
    e = ent[i]
    rcity = city[e]
    form_p = [0.45, 0.25, 0.2, 0.1]
    form = reroll(rng.choice(4, size=len(house), p=form_p), rng.choice(4, size=R, p=form_p), 0.4)[i]
    lane = cn_lane[e]
    no = NUM[house[e]] + "号"
    j = np.flatnonzero(lane > 0)
    no[j] = NUM[lane[j]] + "弄" + NUM[house[e[j]] % 60 + 1] + "号"
    core = np.array(_CN_ROADS, dtype=object)[cn_road[e]] + no
    j = np.flatnonzero((cn_bldg[e] > 0) & ~rate(0.05, 0.2)[i])
    core[j] = core[j] + NUM[cn_bldg[e[j]]] + "栋"
    j = np.flatnonzero((cn_room[e] > 0) & ~rate(0.05, 0.25)[i])
    core[j] = core[j] + NUM[cn_room[e[j]]] + "室"
    dist = t.district[rcity, cn_district[e]]
    city_full = t.city_full[rcity]
    street[i] = _by_case(form, lambda f, j: {0: lambda: dist[j] + core[j], 1: lambda: city_full[j] + dist[j] + core[j],
                                             2: lambda: core[j], 3: lambda: city_full[j] + core[j]}[f]())
    cn = rc == CN
    _map(rng, street, cn & rate(0.1, 0.2), fullwidth_digits)
    _map(rng, street, ~cn & rate(0.005, 0.04), typo)
    _map(rng, street, ~cn & rate(0.02, 0.05), change_case)
    _map(rng, street, rate(0.01, 0.03), extra_spaces)
    return street


def _render_dob(rng, R, ent, rc, dob, rate, reroll, P) -> np.ndarray:
    d = dob[ent]
    y = d.astype("datetime64[Y]").astype(int) + 1970
    mo = (d.astype("datetime64[M]") - d.astype("datetime64[Y]")).astype(int) + 1
    dy = (d - d.astype("datetime64[M]")).astype(int) + 1
    # typos: day and month swapped, a day off by one
    m = rate(0.002, 0.015) & (dy <= 12)
    mo[m], dy[m] = dy[m], mo[m].copy()
    m = rate(0.002, 0.01)
    dy[m] = np.where(dy[m] > 1, dy[m] - 1, dy[m] + 1)
    two = _padded(2)
    months = np.array([""] + _MONTHS, dtype=object)
    mons = np.array([""] + [m_[:3] for m_ in _MONTHS], dtype=object)
    parts = {"Y": NUM[y], "M2": two[mo], "D2": two[dy], "M": NUM[mo], "D": NUM[dy], "MON": mons[mo], "MONTH": months[mo]}
    rows_all = np.arange(R)
    person_u = rng.random(P)
    fmt_u = reroll(person_u, rng.random(R), 0.35)
    out = np.empty(R, dtype=object)
    for c in (GB, US, CN):
        cum = np.cumsum(_DOB_P[c])
        cum = cum / cum[-1]
        fmt = np.minimum(np.searchsorted(cum, fmt_u, side="right"), len(cum) - 1)
        for j, template in enumerate(_DOB_FORMATS):
            rows_ = rows_all[(rc == c) & (fmt == j)]
            if len(rows_):
                out[rows_] = _fill(template, parts, rows_)
    _map(rng, out, (rc == CN) & rate(0.005, 0.02), fullwidth_digits)
    return out


def generate_tables(rows: int, seed: int = 1, dup_rate: float = 0.3) -> tuple[pa.Table, pa.Table]:
    """(contacts, truth) as Arrow tables, rows in a random order."""
    cols, ent = generate_arrays(rows, seed, dup_rate)
    rng = np.random.default_rng([seed, 7])
    R = len(ent)
    order = rng.permutation(R)
    ids = _labels("C", rng.permutation(R))
    data = {"id": ids}
    for name in COLUMNS[1:]:
        data[name] = pa.array(cols[name], pa.string(), from_pandas=True)
        cols[name] = None
    contacts = pa.table(data).take(order)  # shuffling in Arrow, not Python objects, is much cheaper
    truth = pa.table({"id": ids, "entity_id": _labels("P", ent)}).take(order)
    return contacts, truth


def _labels(prefix: str, numbers: np.ndarray) -> pa.Array:
    """C00000042-style labels, built in Arrow."""
    digits = pc.utf8_lpad(pa.array(numbers, pa.int64()).cast(pa.string()), width=8, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "")


def generate(rows: int, seed: int = 1, dup_rate: float = 0.3):
    """(contacts, truth) as pandas DataFrames."""
    contacts, truth = generate_tables(rows, seed, dup_rate)
    return contacts.to_pandas(), truth.to_pandas()


def write(rows: int, out: Path, truth_out: Path, seed: int = 1, dup_rate: float = 0.3) -> tuple[pa.Table, pa.Table]:
    contacts, truth = generate_tables(rows, seed, dup_rate)
    for path, table in ((out, contacts), (truth_out, truth)):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        pq.write_table(table, tmp, compression="zstd")
        tmp.replace(path)
    return contacts, truth


def default_paths(rows: int) -> tuple[Path, Path]:
    label = f"{rows // 1_000_000}m" if rows % 1_000_000 == 0 and rows else f"{rows // 1000}k" if rows % 1000 == 0 and rows else str(rows)
    out = ROOT / "bench" / "out" / f"synth_{label}.parquet"
    return out, out.with_name(f"synth_{label}.truth.parquet")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", help="contacts Parquet (default bench/out/synth_<rows>.parquet)")
    parser.add_argument("--truth", help="truth Parquet: id, entity_id (default next to --out)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dup-rate", type=float, default=0.3, help="share of rows that are duplicates (0-0.6)")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be positive")
    out, truth_out = default_paths(args.rows)
    out = Path(args.out) if args.out else out
    truth_out = Path(args.truth) if args.truth else (out.with_name(out.name.removesuffix(".parquet") + ".truth.parquet") if args.out else truth_out)
    started = time.perf_counter()
    try:
        contacts, truth = write(args.rows, out, truth_out, args.seed, args.dup_rate)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    entities = len(set(truth.column("entity_id").to_pylist()))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{contacts.num_rows:,} contacts, {entities:,} people, {1 - entities / max(contacts.num_rows, 1):.1%} duplicates "
          f"-> {out} (+ {truth_out.name}) in {seconds:.1f} s, peak RSS {peak:,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
