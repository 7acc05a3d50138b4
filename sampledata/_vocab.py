"""Small reference lists (names, companies, places) shared by the generators.

Lists are tuples so that iteration order, and so every seeded draw, is stable.
"""

from __future__ import annotations

from dataclasses import dataclass


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    """'王:wang 李:li' -> (('王', 'wang'), ('李', 'li'))."""
    return tuple(tuple(item.split(":", 1)) for item in text.split())  # type: ignore[misc]


LATIN_FIRST_MALE = _words(
    "James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel Matthew Anthony "
    "Mark Steven Andrew Paul Kenneth Kevin Brian George Timothy Edward Jason Jeffrey Ryan Jacob Nicholas Eric "
    "Jonathan Stephen Scott Benjamin Samuel Gregory Alexander Patrick Frank Raymond Peter Hans Jürgen Klaus "
    "Stefan Wolfgang Andreas Jörg Björn Sören François Jérôme Olivier Julien José Jesús Álvaro Alejandro "
    "Matteo Luca Giuseppe Marco Lars Søren Henrik Pieter Joost Łukasz Tomasz Sean Liam Connor"
)
LATIN_FIRST_FEMALE = _words(
    "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Margaret Sandra "
    "Ashley Kimberly Emily Donna Michelle Carol Amanda Melissa Deborah Stephanie Rebecca Laura Cynthia "
    "Kathleen Amy Angela Anna Pamela Emma Nicole Helen Samantha Katherine Christine Rachel Catherine Maria "
    "Heather Sabine Ursula Monika Petra Birgit Hélène Céline Amélie Léa Chloé Zoë María Sofía Lucía Giulia "
    "Francesca Chiara Ingrid Astrid Sanne Femke Agnieszka Małgorzata Siobhan Aoife Priya"
)
LATIN_LAST = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark "
    "Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams "
    "Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts O'Brien O'Connor McDonald MacLeod Müller "
    "Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter Klein "
    "Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hartmann Lange Dubois Durand Lefèvre Moreau "
    "Laurent Fontaine Rousseau Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Greco Jansen "
    "Bakker Visser Smits Nowak Kowalski Wiśniewski Andersen Nielsen Hansen Larsen Johansson Eriksson "
    "Fernández González Rodríguez Sánchez Pérez Gómez Díaz Murphy Kelly Sullivan Walsh Byrne Patel Shah "
    "Singh Kumar Khan Kim Park Tanaka Suzuki"
)
# Multi-word surnames, so that name parsing cannot assume one token.
LATIN_LAST_COMPOUND = ("van der Berg", "de Vries", "van Dijk", "De la Cruz", "García López", "Da Silva", "von Bülow")

NICKNAMES = {
    "William": ("Bill", "Will", "Billy"), "Robert": ("Bob", "Rob", "Bobby"), "Richard": ("Rick", "Rich", "Dick"),
    "James": ("Jim", "Jimmy", "Jamie"), "Michael": ("Mike", "Mick"), "Thomas": ("Tom", "Tommy"),
    "Christopher": ("Chris",), "Daniel": ("Dan", "Danny"), "Matthew": ("Matt",), "Anthony": ("Tony",),
    "Joseph": ("Joe", "Joey"), "Andrew": ("Andy", "Drew"), "Steven": ("Steve",), "Edward": ("Ed", "Ted", "Eddie"),
    "Jonathan": ("Jon",), "Nicholas": ("Nick",), "Benjamin": ("Ben",), "Samuel": ("Sam",), "Alexander": ("Alex",),
    "Patrick": ("Pat",), "Elizabeth": ("Liz", "Beth", "Betty", "Lisa"), "Katherine": ("Kate", "Kathy", "Katie"),
    "Margaret": ("Maggie", "Peggy", "Meg"), "Jennifer": ("Jen", "Jenny"), "Rebecca": ("Becky", "Becca"),
    "Deborah": ("Debbie", "Deb"), "Samantha": ("Sam",), "Christine": ("Chris", "Tina"), "Patricia": ("Pat", "Trish"),
    "Susan": ("Sue",), "Pamela": ("Pam",), "Cynthia": ("Cindy",), "Kimberly": ("Kim",), "Stephanie": ("Steph",),
    "Jessica": ("Jess",), "Amanda": ("Mandy",), "Catherine": ("Cathy", "Kate"), "Alejandro": ("Alex",),
    "Giuseppe": ("Beppe",), "José": ("Pepe",), "Francesca": ("Fran",), "Gregory": ("Greg",), "Timothy": ("Tim",),
    "Jeffrey": ("Jeff",), "Kenneth": ("Ken",), "Stephen": ("Steve",), "Peter": ("Pete",), "Frank": ("Frankie",),
}

# (character, pinyin); surnames roughly in order of frequency, so early ones are drawn more often.
CN_SURNAMES = _pairs(
    "王:wang 李:li 张:zhang 刘:liu 陈:chen 杨:yang 黄:huang 赵:zhao 吴:wu 周:zhou 徐:xu 孙:sun 马:ma 朱:zhu "
    "胡:hu 郭:guo 何:he 高:gao 林:lin 罗:luo 郑:zheng 梁:liang 谢:xie 宋:song 唐:tang 许:xu 韩:han 冯:feng "
    "邓:deng 曹:cao 彭:peng 曾:zeng 肖:xiao 田:tian 董:dong 袁:yuan 潘:pan 于:yu 蒋:jiang 蔡:cai 余:yu 杜:du "
    "叶:ye 程:cheng 苏:su 魏:wei 吕:lv 丁:ding 任:ren 沈:shen 姚:yao 卢:lu 姜:jiang 崔:cui 钟:zhong 谭:tan "
    "陆:lu 汪:wang 范:fan 金:jin 石:shi 廖:liao 贾:jia 夏:xia 韦:wei 付:fu 方:fang 白:bai 邹:zou 孟:meng "
    "熊:xiong 秦:qin 邱:qiu 江:jiang 尹:yin 薛:xue 段:duan 雷:lei 侯:hou 龙:long 顾:gu 毛:mao 龚:gong "
    "邵:shao 钱:qian 严:yan 欧阳:ouyang 司马:sima 诸葛:zhuge 上官:shangguan"
)
CN_GIVEN = _pairs(
    "伟:wei 芳:fang 娜:na 敏:min 静:jing 丽:li 强:qiang 磊:lei 军:jun 洋:yang 勇:yong 艳:yan 杰:jie 娟:juan "
    "涛:tao 明:ming 超:chao 秀:xiu 霞:xia 平:ping 刚:gang 桂:gui 英:ying 华:hua 建:jian 国:guo 文:wen 辉:hui "
    "玲:ling 鹏:peng 飞:fei 红:hong 宇:yu 浩:hao 婷:ting 雪:xue 琳:lin 晨:chen 欣:xin 怡:yi 佳:jia 俊:jun "
    "嘉:jia 子:zi 梓:zi 涵:han 萱:xuan 睿:rui 博:bo 轩:xuan 然:ran 晓:xiao 东:dong 海:hai 波:bo 斌:bin 志:zhi "
    "鑫:xin 龙:long 燕:yan 萍:ping 慧:hui 倩:qian 颖:ying 琪:qi 瑶:yao 晶:jing 凯:kai 峰:feng 亮:liang "
    "成:cheng 荣:rong 新:xin 春:chun 振:zhen 宏:hong 立:li 永:yong 健:jian 光:guang 天:tian 德:de 清:qing "
    "一:yi 诗:shi 雨:yu 思:si 梦:meng 璐:lu 彤:tong 瑞:rui 泽:ze 铭:ming 熙:xi 昊:hao 丹:dan 阳:yang 悦:yue"
)
# Characters typed by mistake through a pinyin input method: same or near sound, another character.
CN_HOMOPHONES = {
    key: tuple(group.replace(key, ""))
    for group in _words(
        "伟玮炜威 芳方放 娜纳 静婧晶 丽莉力 磊蕾 军君俊 洋阳杨 勇永涌 艳燕彦 杰洁捷 涛韬 明铭鸣 华桦骅 建健剑 辉晖慧 "
        "玲琳铃灵 鹏朋 飞菲非 红宏虹鸿 宇雨羽语 浩昊皓 婷庭亭 晨辰琛 欣鑫新馨 怡仪宜 佳嘉家 睿瑞 博波柏 轩萱宣 "
        "晓小筱 志智芝 龙隆 萍平苹 倩茜 颖莹盈 琪琦棋 瑶遥 凯恺楷 峰锋丰 荣蓉容 立丽 光广 天田 德得 清青晴 思斯丝 "
        "梦孟萌 璐露路 彤桐童 泽择 熙曦希 王汪 张章 李黎 刘柳 陈程 徐许 吴伍 韩寒 肖萧 于余 卢陆 付傅 邱丘 冯封 钟仲 "
        "信兴 达大 通同 远源 泰太 盛胜 恒衡 联连 金今 鼎顶 益亿 和合 汇慧 锦金 润闰 隆龙 正政 星兴 启起"
    )
    for key in group
}
TRADITIONAL = dict(
    zip(
        "陈刘张杨黄赵吴孙马郑罗谢许韩冯邓肖叶苏吕卢钟谭陆贾邹龙顾龚钱严伟丽军艳杰涛刚华国辉鹏飞红轩晓东鑫颖瑶凯荣诗梦泽铭静强"
        "汇达远联鼎兴广启云锦润宝电网络贸实业团医药设机械软传媒环装备东门区市发",
        "陳劉張楊黃趙吳孫馬鄭羅謝許韓馮鄧蕭葉蘇呂盧鍾譚陸賈鄒龍顧龔錢嚴偉麗軍艷傑濤剛華國輝鵬飛紅軒曉東鑫穎瑤凱榮詩夢澤銘靜強"
        "匯達遠聯鼎興廣啟雲錦潤寶電網絡貿實業團醫藥設機械軟傳媒環裝備東門區市發",
        strict=True,
    )
)
CN_HONORIFICS = ("总", "经理", "先生", "女士", "老师", "工", "主任", "院长")

LATIN_TITLES = _words(
    "CEO CFO CTO COO Director Manager Engineer Consultant Analyst Buyer Founder Owner Partner Accountant"
) + ("Sales Manager", "Head of Procurement", "IT Director", "Marketing Lead", "Office Manager", "VP Sales",
     "Account Executive", "Purchasing Agent", "Project Manager", "Managing Director", "Geschäftsführer", "Directeur")
CN_TITLES = _words("总经理 副总经理 销售经理 采购经理 技术总监 财务总监 工程师 项目经理 市场专员 行政主管 董事长 总监 助理 采购 销售代表")

LATIN_STEMS = _words(
    "Acme Apex Summit Pinnacle Vertex Horizon Northwind Bluewater Redwood Silverline Ironbridge Greenfield "
    "Crescent Meridian Atlas Orion Polaris Nova Zenith Evergreen Oakridge Riverside Lakeside Highland Sterling "
    "Granite Cobalt Falcon Phoenix Titan Quantum Fusion Vector Nimbus Stratus Cascade Keystone Liberty Heritage "
    "Crown Pacific Atlantic Nordic Alpine Baltic Rhein Lumière Sonnenberg Brightwater Clearview Fairfax Harbor "
    "Kingsbridge Larkspur Moorland Norland Oakhurst Pemberton Quarry Rosewood Sandstone Thornbury Westbrook"
)
LATIN_INDUSTRIES = _words(
    "Systems Solutions Technologies Software Consulting Logistics Manufacturing Industries Engineering "
    "Pharmaceuticals Foods Trading Capital Partners Analytics Networks Energy Medical Holdings Group Services "
    "Labs Robotics Materials Textiles Media Instruments Packaging Components Electronics"
)
ABBREVIATIONS = {
    "Technologies": "Tech", "Technology": "Tech", "International": "Intl", "Manufacturing": "Mfg",
    "Corporation": "Corp", "Company": "Co", "Engineering": "Eng", "Services": "Svcs", "Solutions": "Solns",
    "Systems": "Sys", "Industries": "Inds", "Pharmaceuticals": "Pharma", "Laboratories": "Labs",
    "Electronics": "Elec", "Group": "Grp", "Holdings": "Hldgs", "Instruments": "Instr", "Partners": "Ptnrs",
}
# Legal form as registered -> spellings seen in exports of the same company.
LEGAL_VARIANTS = {
    "Inc.": ("Inc", "Incorporated", "INC", ", Inc.", "Inc.,"),
    "LLC": ("L.L.C.", "Llc", ", LLC", "LLC."),
    "Corp.": ("Corporation", "Corp", "CORP.", "Co."),
    "Ltd": ("Ltd.", "Limited", "LTD", "Ltd,", "Limited Company"),
    "PLC": ("plc", "P.L.C.", "Public Limited Company"),
    "GmbH": ("G.m.b.H.", "Gmbh", "GMBH", "Gesellschaft mit beschränkter Haftung", "GmbH."),
    "AG": ("A.G.", "Aktiengesellschaft"),
    "GmbH & Co. KG": ("GmbH & Co KG", "GmbH u. Co. KG", "GmbH&Co.KG"),
    "SA": ("S.A.", "S.A", "Société Anonyme"),
    "SAS": ("S.A.S.", "S.A.S"),
    "SARL": ("S.A.R.L.", "S.à r.l.", "Sarl"),
    "B.V.": ("BV", "B.V", "Besloten Vennootschap"),
    "N.V.": ("NV", "N.V"),
    "有限公司": ("有限责任公司", "公司", "有限公司 ", "（有限公司）", "Co., Ltd."),
    "股份有限公司": ("股份公司", "有限公司", "Co., Ltd.", "股份有限"),
    "集团有限公司": ("集团", "集团公司", "Group Co., Ltd."),
}
LEGAL_BY_COUNTRY = {
    "US": ("Inc.", "Inc.", "LLC", "Corp."), "GB": ("Ltd", "Ltd", "PLC"), "DE": ("GmbH", "GmbH", "AG", "GmbH & Co. KG"),
    "FR": ("SA", "SAS", "SARL"), "NL": ("B.V.", "B.V.", "N.V."), "CN": ("有限公司", "有限公司", "股份有限公司", "集团有限公司"),
}
CN_LEGAL_EN = {"有限公司": "Co., Ltd.", "股份有限公司": "Co., Ltd.", "集团有限公司": "Group Co., Ltd."}

CN_BRAND = _pairs(
    "华:hua 信:xin 中:zhong 创:chuang 新:xin 达:da 通:tong 宏:hong 远:yuan 博:bo 泰:tai 盛:sheng 恒:heng "
    "联:lian 天:tian 海:hai 金:jin 瑞:rui 安:an 鼎:ding 嘉:jia 益:yi 和:he 兴:xing 明:ming 光:guang 凯:kai "
    "东:dong 方:fang 汇:hui 锦:jin 智:zhi 云:yun 德:de 润:run 美:mei 永:yong 隆:long 正:zheng 荣:rong 宇:yu "
    "星:xing 辰:chen 启:qi 宝:bao 科:ke 弘:hong"
)
CN_INDUSTRY = (
    ("科技", "Technology", "tech"), ("信息技术", "Information Technology", "it"), ("电子", "Electronics", "elec"),
    ("贸易", "Trading", "trade"), ("实业", "Industrial", "group"), ("网络科技", "Network Technology", "net"),
    ("医药", "Pharmaceutical", "pharma"), ("物流", "Logistics", "logistics"), ("建设工程", "Construction", "build"),
    ("机械设备", "Machinery", "machinery"), ("食品", "Foods", "food"), ("软件", "Software", "soft"),
    ("咨询", "Consulting", "consulting"), ("新能源", "New Energy", "energy"), ("生物科技", "Biotech", "bio"),
    ("文化传媒", "Media", "media"), ("环保科技", "Environmental Technology", "eco"), ("智能装备", "Smart Equipment", "smart"),
)


@dataclass(frozen=True)
class City:
    country: str          # ISO alpha-2
    name: str             # as the locals write it
    variants: tuple[str, ...]  # other spellings seen in CRMs for the same city
    area: str             # trunk-less area code (CN/DE/FR/GB/NL) or US area code
    postcodes: tuple[str, ...]
    streets: tuple[str, ...]
    region: str = ""


CITIES: tuple[City, ...] = (
    City("CN", "北京", ("北京市", "Beijing", "BEIJING", "Peking", "北京 ", "BJ"), "10", ("100020", "100080", "100101", "100190"),
         ("朝阳区建国路", "海淀区中关村大街", "东城区王府井大街", "西城区金融大街", "朝阳区望京街"), "北京市"),
    City("CN", "上海", ("上海市", "Shanghai", "SHANGHAI", "Shang Hai", "沪"), "21", ("200040", "200120", "200030", "200051"),
         ("浦东新区世纪大道", "静安区南京西路", "徐汇区漕溪北路", "长宁区延安西路", "黄浦区淮海中路"), "上海市"),
    City("CN", "广州", ("广州市", "Guangzhou", "Canton", "GZ", "廣州"), "20", ("510620", "510030", "510300"),
         ("天河区天河路", "越秀区环市东路", "海珠区新港西路", "天河区珠江新城华夏路"), "广东省"),
    City("CN", "深圳", ("深圳市", "Shenzhen", "SZ", "Shen Zhen"), "755", ("518057", "518048", "518001"),
         ("南山区科技园路", "福田区深南大道", "罗湖区人民南路", "宝安区新安街道"), "广东省"),
    City("CN", "杭州", ("杭州市", "Hangzhou", "HZ"), "571", ("310012", "310052", "310002"),
         ("西湖区文三路", "滨江区江南大道", "上城区解放路"), "浙江省"),
    City("CN", "南京", ("南京市", "Nanjing", "Nan Jing"), "25", ("210008", "210018", "210019"),
         ("鼓楼区中山路", "玄武区珠江路", "建邺区江东中路"), "江苏省"),
    City("CN", "成都", ("成都市", "Chengdu", "蓉城"), "28", ("610041", "610016"), ("武侯区天府大道", "锦江区春熙路", "高新区天府三街"),
         "四川省"),
    City("CN", "武汉", ("武汉市", "Wuhan", "WUHAN", "武漢"), "27", ("430074", "430015"), ("洪山区珞喻路", "江汉区解放大道"), "湖北省"),
    City("CN", "苏州", ("苏州市", "Suzhou", "蘇州"), "512", ("215021", "215000"), ("工业园区星湖街", "姑苏区人民路"), "江苏省"),
    City("CN", "西安", ("西安市", "Xi'an", "Xian", "XIAN"), "29", ("710061", "710065"), ("雁塔区科技路", "碑林区南大街"), "陕西省"),
    City("US", "New York", ("NYC", "New York City", "New York, NY", "NEW YORK", "N.Y.", "new york"), "212",
         ("10001", "10016", "10036", "10118"), ("Broadway", "Madison Avenue", "Park Avenue", "West 34th Street"), "NY"),
    City("US", "San Francisco", ("SF", "San Fran", "San Francisco, CA", "S.F.", "SAN FRANCISCO"), "415",
         ("94105", "94107", "94111"), ("Market Street", "Mission Street", "Howard Street", "Battery Street"), "CA"),
    City("US", "Chicago", ("Chicago, IL", "CHICAGO", "Chgo", "Chicago IL"), "312", ("60601", "60606", "60611"),
         ("Michigan Avenue", "Wacker Drive", "LaSalle Street", "State Street"), "IL"),
    City("US", "Boston", ("Boston, MA", "BOSTON", "Boston MA"), "617", ("02108", "02110", "02116"),
         ("Boylston Street", "Summer Street", "Congress Street", "Tremont Street"), "MA"),
    City("US", "Austin", ("Austin, TX", "AUSTIN", "Austin TX"), "512", ("78701", "78702", "78746"),
         ("Congress Avenue", "Lamar Boulevard", "6th Street"), "TX"),
    City("GB", "London", ("LONDON", "London, UK", "Greater London", "Londres", "london"), "20",
         ("EC1A 1BB", "W1D 3QF", "SE1 9SG", "EC2V 7HH", "N1 9GU"), ("High Street", "Victoria Road", "King's Road",
                                                                    "Station Road", "Old Street"), "England"),
    City("GB", "Manchester", ("MANCHESTER", "Manchester, UK", "Mcr"), "161", ("M1 1AE", "M2 3WQ", "M4 5JD"),
         ("Deansgate", "Oxford Road", "Portland Street"), "England"),
    City("GB", "Edinburgh", ("EDINBURGH", "Edinburgh, Scotland", "Edinbrugh"), "131", ("EH1 1YZ", "EH2 2ER", "EH3 9DR"),
         ("Princes Street", "George Street", "Leith Walk"), "Scotland"),
    City("DE", "Berlin", ("BERLIN", "Berlin-Mitte", "berlin"), "30", ("10115", "10117", "10178", "10785"),
         ("Friedrichstraße", "Unter den Linden", "Kurfürstendamm", "Invalidenstraße"), "Berlin"),
    City("DE", "München", ("Munich", "Muenchen", "Munchen", "MÜNCHEN", "Monaco di Baviera"), "89",
         ("80331", "80333", "80335", "81379"), ("Leopoldstraße", "Maximilianstraße", "Sendlinger Straße"), "Bayern"),
    City("DE", "Hamburg", ("HAMBURG", "Hamburg-Altona", "hamburg"), "40", ("20095", "20354", "22765"),
         ("Jungfernstieg", "Mönckebergstraße", "Große Elbstraße"), "Hamburg"),
    City("DE", "Frankfurt am Main", ("Frankfurt", "Frankfurt a. M.", "Frankfurt/Main", "FRANKFURT"), "69",
         ("60311", "60313", "60486"), ("Zeil", "Mainzer Landstraße", "Taunusanlage"), "Hessen"),
    City("DE", "Dresden", ("DRESDEN", "dresden"), "351", ("01067", "01069", "01097"), ("Prager Straße", "Wilsdruffer Straße"),
         "Sachsen"),
    City("FR", "Paris", ("PARIS", "Paris Cedex", "paris"), "1", ("75001", "75008", "75009", "75015"),
         ("rue de Rivoli", "boulevard Haussmann", "avenue des Champs-Élysées", "rue du Faubourg Saint-Honoré"), "Île-de-France"),
    City("FR", "Lyon", ("LYON", "Lyon Cedex", "Lyons"), "4", ("69001", "69002", "69003"), ("rue de la République",
                                                                                            "cours Lafayette"), "Auvergne-Rhône-Alpes"),
    City("NL", "Amsterdam", ("AMSTERDAM", "A'dam", "amsterdam"), "20", ("1012 AB", "1017 CE", "1082 MS"),
         ("Keizersgracht", "Herengracht", "Damrak", "Zuidas"), "Noord-Holland"),
    City("NL", "Rotterdam", ("ROTTERDAM", "R'dam"), "10", ("3011 AA", "3012 CL"), ("Coolsingel", "Weena"), "Zuid-Holland"),
)
COUNTRY_VARIANTS = {
    "CN": ("China", "中国", "CN", "PRC", "P.R. China", "People's Republic of China", "CHN", "中华人民共和国"),
    "US": ("United States", "USA", "US", "U.S.A.", "United States of America", "美国", "America"),
    "GB": ("United Kingdom", "UK", "GB", "Great Britain", "England", "U.K.", "英国"),
    "DE": ("Germany", "Deutschland", "DE", "DEU", "德国", "GERMANY", "Allemagne"),
    "FR": ("France", "FR", "FRA", "法国", "République française"),
    "NL": ("Netherlands", "The Netherlands", "Holland", "NL", "Nederland", "荷兰"),
}
FREE_MAIL = {"latin": ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "gmx.de", "web.de", "orange.fr"),
             "chinese": ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "139.com", "aliyun.com")}
JUNK_EMAILS = ("n/a", "N/A", "none", "None", "test@test.com", "-", "no email", "noemail@example.com", "x@x.com",
               "null", ".", "unknown", "无", "暂无", "asdf", "na@na.na", "0")
JUNK_PHONES = ("0", "000-0000", "123456", "n/a", "tbd", "-", "无", "0000000000", "1234567890", "see email", "?")
CITIES_BY_COUNTRY = {code: tuple(c for c in CITIES if c.country == code) for code in COUNTRY_VARIANTS}
