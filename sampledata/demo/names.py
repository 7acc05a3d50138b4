"""Word lists for the LegacyCRM demo export: people, companies, places, picklists and free text."""

from __future__ import annotations

# (hanzi, pinyin): pinyin builds the e-mail addresses of Chinese people.
CN_FAMILY: tuple[tuple[str, str], ...] = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"),
    ("高", "gao"), ("罗", "luo"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"),
    ("唐", "tang"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"), ("彭", "peng"),
    ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"), ("袁", "yuan"), ("潘", "pan"),
    ("蒋", "jiang"), ("蔡", "cai"), ("余", "yu"), ("杜", "du"), ("叶", "ye"), ("程", "cheng"),
    ("魏", "wei"), ("苏", "su"), ("丁", "ding"), ("任", "ren"), ("沈", "shen"), ("姚", "yao"),
    ("卢", "lu"), ("傅", "fu"), ("钟", "zhong"), ("崔", "cui"), ("谭", "tan"), ("范", "fan"),
    ("廖", "liao"), ("石", "shi"), ("金", "jin"), ("贾", "jia"), ("夏", "xia"), ("方", "fang"),
    ("邹", "zou"), ("熊", "xiong"), ("白", "bai"), ("孟", "meng"), ("秦", "qin"), ("邱", "qiu"),
    ("侯", "hou"), ("薛", "xue"), ("雷", "lei"), ("龙", "long"), ("陶", "tao"), ("顾", "gu"),
    ("邵", "shao"), ("钱", "qian"), ("戴", "dai"), ("严", "yan"), ("欧阳", "ouyang"), ("司马", "sima"),
)

CN_GIVEN: tuple[tuple[str, str], ...] = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
    ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"),
    ("杰", "jie"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("霞", "xia"), ("平", "ping"),
    ("刚", "gang"), ("丹", "dan"), ("鹏", "peng"), ("浩", "hao"), ("婷", "ting"), ("雪", "xue"),
    ("琳", "lin"), ("晨", "chen"), ("凯", "kai"), ("慧", "hui"), ("颖", "ying"), ("飞", "fei"),
    ("斌", "bin"), ("波", "bo"), ("玲", "ling"), ("佳", "jia"), ("宁", "ning"), ("倩", "qian"),
    ("睿", "rui"), ("小明", "xiaoming"), ("晓东", "xiaodong"), ("建华", "jianhua"), ("志强", "zhiqiang"),
    ("海燕", "haiyan"), ("秀英", "xiuying"), ("欣怡", "xinyi"), ("子涵", "zihan"), ("宇航", "yuhang"),
    ("梓萱", "zixuan"), ("俊杰", "junjie"), ("思远", "siyuan"), ("嘉怡", "jiayi"), ("文博", "wenbo"),
    ("雨桐", "yutong"), ("一鸣", "yiming"), ("国庆", "guoqing"), ("春梅", "chunmei"), ("立军", "lijun"),
)

EN_FIRST: tuple[str, ...] = (
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth",
    "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
    "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Emily", "Mark", "Emma", "Steven", "Laura",
    "Paul", "Rachel", "Andrew", "Olivia", "Kevin", "Sophie", "Brian", "Hannah", "George", "Anna",
    "Oliver", "Charlotte", "Lukas", "Lena", "Felix", "Julia", "Jonas", "Katharina", "Harry", "Chloe",
    "Peter", "Grace", "Simon", "Megan", "Tobias", "Claire", "Max", "Alice", "Ethan", "Zoe",
)

EN_LAST: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
    "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker",
    "Hall", "Allen", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson",
    "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Evans", "Turner", "Parker", "Collins", "Edwards",
    "Murphy", "Cook", "Morgan", "Bell", "Cooper", "Ward", "Hughes", "Price", "Bennett", "Wood",
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Schäfer",
    "O'Brien", "McDonald", "Fitzgerald", "Novak",
)

# (hanzi, pinyin, area code); the area code builds landline numbers.
CN_CITIES: tuple[tuple[str, str, str], ...] = (
    ("上海", "Shanghai", "21"), ("北京", "Beijing", "10"), ("深圳", "Shenzhen", "755"),
    ("广州", "Guangzhou", "20"), ("杭州", "Hangzhou", "571"), ("成都", "Chengdu", "28"),
    ("南京", "Nanjing", "25"), ("苏州", "Suzhou", "512"), ("武汉", "Wuhan", "27"),
    ("天津", "Tianjin", "22"), ("重庆", "Chongqing", "23"), ("西安", "Xi'an", "29"),
)

CN_BRANDS: tuple[tuple[str, str], ...] = (
    ("华信", "huaxin"), ("中科", "zhongke"), ("恒通", "hengtong"), ("东方", "dongfang"), ("金桥", "jinqiao"),
    ("瑞达", "ruida"), ("博远", "boyuan"), ("天宇", "tianyu"), ("宏达", "hongda"), ("鼎盛", "dingsheng"),
    ("远航", "yuanhang"), ("星辰", "xingchen"), ("海纳", "haina"), ("锦程", "jincheng"), ("永泰", "yongtai"),
    ("世纪", "shiji"), ("盛世", "shengshi"), ("嘉禾", "jiahe"), ("信达", "xinda"), ("华腾", "huateng"),
    ("云帆", "yunfan"), ("智源", "zhiyuan"), ("凯越", "kaiyue"), ("佳美", "jiamei"), ("万通", "wantong"),
    ("同创", "tongchuang"), ("安泰", "antai"), ("德信", "dexin"), ("正源", "zhengyuan"), ("天成", "tiancheng"),
    ("广联", "guanglian"), ("恒信", "hengxin"), ("鑫隆", "xinlong"), ("中天", "zhongtian"), ("华辰", "huachen"),
    ("九州", "jiuzhou"), ("蓝海", "lanhai"), ("青松", "qingsong"), ("明德", "mingde"), ("启航", "qihang"),
    ("英华", "yinghua"), ("立新", "lixin"), ("百川", "baichuan"), ("东升", "dongsheng"), ("新元", "xinyuan"),
)

# (hanzi, pinyin, industry key)
CN_TRADES: tuple[tuple[str, str, str], ...] = (
    ("科技", "tech", "it"), ("信息技术", "it", "it"), ("软件", "soft", "it"), ("网络", "net", "it"),
    ("制造", "mfg", "mfg"), ("机械", "machinery", "mfg"), ("电子", "electronics", "mfg"), ("精密仪器", "precision", "mfg"),
    ("金融服务", "finance", "fin"), ("投资", "invest", "fin"), ("商贸", "trading", "retail"), ("百货", "stores", "retail"),
    ("医疗器械", "medical", "health"), ("生物科技", "bio", "health"), ("医药", "pharma", "health"),
    ("教育科技", "edu", "edu"), ("文化传媒", "media", "other"), ("物流", "logistics", "other"),
)

CN_SUFFIXES: tuple[str, ...] = ("有限公司", "有限公司", "股份有限公司", "集团有限公司", "有限责任公司")

EN_WORDS: tuple[str, ...] = (
    "Northwind", "Globex", "Acme", "Initech", "Silverline", "Redwood", "Summit", "Pinnacle", "Evergreen",
    "Ironclad", "Brightpath", "Keystone", "Lakeside", "Oakridge", "Westbrook", "Clearwater", "Stonebridge",
    "Highland", "Riverside", "Granite", "Falcon", "Meridian", "Horizon", "Atlas", "Vertex", "Cobalt",
    "Sterling", "Crescent", "Apex", "Beacon", "Cedar", "Crown", "Delta", "Eagle", "Frontier", "Liberty",
    "Maple", "Nova", "Orion", "Phoenix", "Quantum", "Regal", "Sapphire", "Titan", "Union", "Vanguard",
    "Bluebird", "Copperfield", "Driftwood", "Foxglove", "Hartwell", "Juniper", "Kingsley", "Larkspur",
    "Marlowe", "Norfolk", "Pembroke", "Rosewood", "Thornbury", "Wexford", "Bergmann", "Rheinland", "Alpen",
)
EN_WORDS2: tuple[str, ...] = (
    "Bay", "Peak", "River", "Stone", "Point", "Field", "Ridge", "Harbor", "Valley", "Gate", "Park", "Bridge",
)
EN_QUALIFIERS: tuple[str, ...] = ("International", "Europe", "Americas", "Asia Pacific", "Holdings", "Group", "Services")

# (noun, industry key)
EN_TRADES: tuple[tuple[str, str], ...] = (
    ("Systems", "it"), ("Software", "it"), ("Analytics", "it"), ("Networks", "it"), ("Labs", "it"),
    ("Manufacturing", "mfg"), ("Industries", "mfg"), ("Robotics", "mfg"), ("Components", "mfg"),
    ("Capital", "fin"), ("Financial", "fin"), ("Insurance", "fin"), ("Traders", "retail"),
    ("Retail", "retail"), ("Foods", "retail"), ("Outfitters", "retail"), ("Health", "health"),
    ("Medical", "health"), ("Pharma", "health"), ("Learning", "edu"), ("Academy", "edu"),
    ("Logistics", "other"), ("Energy", "other"), ("Partners", "other"), ("Media", "other"),
)

EN_SUFFIXES: dict[str, tuple[str, ...]] = {
    "US": ("Inc.", "Inc", "LLC", "Corp.", "Corporation"),
    "UK": ("Ltd", "Ltd.", "Limited", "PLC"),
    "DE": ("GmbH", "GmbH", "AG", "GmbH & Co. KG"),
}

# country key -> city spellings, area codes for phones
EN_CITIES: dict[str, tuple[tuple[str, str], ...]] = {
    "US": (("New York", "212"), ("San Francisco", "415"), ("Chicago", "312"), ("Boston", "617"),
           ("Seattle", "206"), ("Austin", "512"), ("Los Angeles", "213"), ("Denver", "303")),
    "UK": (("London", "20"), ("Manchester", "161"), ("Birmingham", "121"), ("Edinburgh", "131")),
    "DE": (("Berlin", "30"), ("München", "89"), ("Hamburg", "40"), ("Frankfurt am Main", "69")),
}

COUNTRY_SPELLINGS: dict[str, tuple[str, ...]] = {
    "CN": ("China", "中国", "CN"),
    "US": ("United States", "USA", "US"),
    "DE": ("Germany", "DE"),
    "UK": ("United Kingdom", "UK"),
}

# industry key -> (Chinese label, English label); the picklist mixes both.
INDUSTRY_LABELS: dict[str, tuple[str, str]] = {
    "it": ("IT服务", "Information Technology"), "mfg": ("制造业", "Manufacturing"),
    "fin": ("金融", "Finance"), "retail": ("零售", "Retail"), "health": ("医疗", "Healthcare"),
    "edu": ("教育", "Education"), "other": ("Other", "Other"),
}

# stage key -> (English label, Chinese label, is_closed)
STAGES: dict[str, tuple[str, str, bool]] = {
    "qualification": ("Qualification", "初步接洽", False), "proposal": ("Proposal", "方案报价", False),
    "negotiation": ("Negotiation", "谈判", False), "won": ("Closed Won", "赢单", True),
    "lost": ("Closed Lost", "输单", True),
}

ACTIVITY_TYPES: dict[str, tuple[str, str]] = {
    "call": ("Call", "电话"), "email": ("Email", "邮件"), "meeting": ("Meeting", "会议"),
    "note": ("Note", "备注"), "task": ("Task", "任务"),
}

TITLES_CN: tuple[str, ...] = (
    "总经理", "销售总监", "采购经理", "IT经理", "财务总监", "技术总监", "行政主管", "市场部经理", "项目经理", "CEO", "",
)
TITLES_EN: tuple[str, ...] = (
    "CEO", "CFO", "CTO", "VP Sales", "Head of Procurement", "IT Manager", "Operations Director",
    "Purchasing Manager", "Office Manager", "Director, Procurement", "Project Lead", "Account Manager", "",
)

DEAL_TOPICS_CN: tuple[str, ...] = (
    "ERP升级", "年度续约", "CRM实施", "数据中心扩容", "安全审计", "培训服务", "设备采购", "二期项目", "云迁移", "维保合同",
)
DEAL_TOPICS_EN: tuple[str, ...] = (
    "Renewal", "Enterprise licence", "Onboarding package", "200 seats", "Support contract", "Pilot project",
    "Cloud migration", "Hardware refresh", "Training", "Phase 2 expansion",
)

SUBJECTS_CN: dict[str, tuple[str, ...]] = {
    "call": ("电话回访", "跟进报价", "确认需求", "预约演示"),
    "email": ("发送报价单", "发送合同草案", "回复技术问题", "会议纪要"),
    "meeting": ("现场拜访", "产品演示", "商务谈判", "季度回顾"),
    "note": ("客户反馈", "内部备注", "竞争对手信息"),
    "task": ("准备方案", "更新报价", "安排培训", "催款"),
}
SUBJECTS_EN: dict[str, tuple[str, ...]] = {
    "call": ("Intro call", "Follow-up call", "Pricing call", "Check-in"),
    "email": ("Sent proposal", "Re: contract draft", "Fwd: technical questions", "Meeting notes"),
    "meeting": ("On-site visit", "Product demo", "Negotiation meeting", "Quarterly business review"),
    "note": ("Customer feedback", "Internal note", "Competitor intel"),
    "task": ("Prepare proposal", "Update quote", "Schedule training", "Chase invoice"),
}

DETAILS_CN: tuple[str, ...] = (
    "客户表示预算已批准，等待采购订单。", "需要再次确认交付时间。", "对方IT部门提出了安全方面的问题",
    "已发送报价, 等待回复", "客户希望下周安排\"现场演示\"。", "决策人是财务总监，需要单独沟通。",
    "竞争对手报价低15%。", "合同条款需法务审核。",
)
DETAILS_EN: tuple[str, ...] = (
    'Customer said "budget approved", waiting for the PO.', "Needs another look at delivery dates.",
    "Their IT team raised security questions, see attached.", "Sent quote v2, no reply yet.",
    'Asked for the "Enterprise" tier, pricing TBD.', "Decision maker is the CFO; book a separate call.",
    "Competitor is 15% cheaper, per procurement.", "Legal wants changes to clause 7, 9 and 12.",
)
# Pasted into a subject field by hand: what makes subjects exceed the target's 255-character limit.
LONG_SUBJECT_FILLER: str = (
    "Hi all, as discussed on today's call the customer would like us to revise the commercial proposal to include "
    "the additional modules, extended support hours and on-site training for the regional teams, and to split the "
    "payment into three milestones aligned with the rollout phases; please review the attached draft and send "
    "comments before Friday so that we can get sign-off from finance and legal in time for the quarter close."
)
