//! The demo's fixed tables: teams with their real kind of affiliation and
//! the equipment that fits their kind, enterprises where Datong's industry
//! is, hazard sources graded by GB 18218-2018, and shelters sized by
//! GB 21734. Names read like real ones without naming real companies.

/// Urban districts: city-level records are placed inside them.
pub const URBAN: [&str; 2] = ["140213", "140214"];

pub struct Team {
    /// The record's division: `140200` for city-level teams.
    pub division: &'static str,
    /// Where it is: an urban district for city-level teams.
    pub place: &'static str,
    pub name: &'static str,
    pub kind: &'static str,
    /// Dictionary `team_affiliation`.
    pub affiliation_type: &'static str,
    pub affiliation: &'static str,
    pub headcount: i64,
    pub specialities: &'static [&'static str],
}

const fn t(
    (division, place): (&'static str, &'static str),
    name: &'static str,
    kind: &'static str,
    affiliation_type: &'static str,
    affiliation: &'static str,
    headcount: i64,
    specialities: &'static [&'static str],
) -> Team {
    Team {
        division,
        place,
        name,
        kind,
        affiliation_type,
        affiliation,
        headcount,
        specialities,
    }
}

const FIRE: &str = "大同市消防救援支队（山西省消防救援总队，垂直管理）";

/// The 34 professional teams of the plan (3,636 people), 17 kinds.
pub const TEAMS: [Team; 34] = [
    t(
        ("140200", "140213"),
        "大同市消防救援支队特勤大队",
        "fire",
        "fire_rescue",
        FIRE,
        400,
        &["高层建筑灭火", "化工灭火", "城市搜救"],
    ),
    t(
        ("140213", "140213"),
        "平城区消防救援大队",
        "fire",
        "fire_rescue",
        FIRE,
        220,
        &["火灾扑救", "抢险救援"],
    ),
    t(
        ("140214", "140214"),
        "云冈区消防救援大队",
        "fire",
        "fire_rescue",
        FIRE,
        180,
        &["火灾扑救", "煤化工灭火"],
    ),
    t(
        ("140225", "140225"),
        "浑源县消防救援大队",
        "fire",
        "fire_rescue",
        FIRE,
        70,
        &["火灾扑救", "山岳救援"],
    ),
    t(
        ("140224", "140224"),
        "灵丘县消防救援大队",
        "fire",
        "fire_rescue",
        FIRE,
        71,
        &["火灾扑救", "水域救援"],
    ),
    t(
        ("140225", "140225"),
        "浑源县森林消防专业队",
        "forest_fire",
        "government",
        "浑源县人民政府（县林业局）",
        80,
        &["森林草原火灾扑救"],
    ),
    t(
        ("140224", "140224"),
        "灵丘县森林消防专业队",
        "forest_fire",
        "government",
        "灵丘县人民政府（县林业局）",
        80,
        &["森林草原火灾扑救"],
    ),
    t(
        ("140200", "140214"),
        "塞北能源集团矿山救护大队",
        "mine",
        "enterprise",
        "塞北能源集团有限公司",
        220,
        &["矿井火灾", "瓦斯煤尘爆炸", "透水事故"],
    ),
    t(
        ("140226", "140226"),
        "塞北能源集团矿山救护大队左云中队",
        "mine",
        "enterprise",
        "塞北能源集团有限公司",
        90,
        &["矿井火灾", "冒顶片帮"],
    ),
    t(
        ("140212", "140212"),
        "雁门煤业集团新荣矿山救护中队",
        "mine",
        "enterprise",
        "雁门煤业集团有限责任公司",
        60,
        &["矿井火灾", "有害气体中毒"],
    ),
    t(
        ("140200", "140214"),
        "云冈化工园区危险化学品应急救援队",
        "hazmat",
        "enterprise",
        "云冈化工园区管委会（园区企业联建）",
        120,
        &["泄漏堵漏", "洗消", "侦检"],
    ),
    t(
        ("140221", "140221"),
        "阳高化工园区危险化学品应急救援队",
        "hazmat",
        "enterprise",
        "阳高化工园区管委会（园区企业联建）",
        60,
        &["泄漏堵漏", "洗消"],
    ),
    t(
        ("140200", "140213"),
        "大同市防汛抢险突击队",
        "flood",
        "government",
        "大同市水务局",
        200,
        &["堤防抢险", "城市排涝"],
    ),
    t(
        ("140222", "140222"),
        "天镇县防汛抢险队",
        "flood",
        "government",
        "天镇县水务局",
        80,
        &["堤防抢险", "南洋河巡堤"],
    ),
    t(
        ("140200", "140213"),
        "大同供电公司电力应急抢修队",
        "power",
        "enterprise",
        "大同供电公司",
        170,
        &["配网抢修", "应急供电"],
    ),
    t(
        ("140223", "140223"),
        "广灵县供电公司电力抢修队",
        "power",
        "enterprise",
        "广灵县供电公司",
        50,
        &["配网抢修"],
    ),
    t(
        ("140200", "140213"),
        "大同市燃气有限公司抢险抢修队",
        "gas",
        "enterprise",
        "大同市燃气有限公司",
        80,
        &["燃气管网抢修", "泄漏处置"],
    ),
    t(
        ("140215", "140215"),
        "云州区燃气公司抢险队",
        "gas",
        "enterprise",
        "云州区燃气公司",
        30,
        &["燃气管网抢修"],
    ),
    t(
        ("140200", "140214"),
        "大同市热力有限公司供热抢修队",
        "heating",
        "enterprise",
        "大同市热力有限公司",
        100,
        &["供热管网抢修"],
    ),
    t(
        ("140221", "140221"),
        "阳高县供热公司抢修队",
        "heating",
        "enterprise",
        "阳高县供热公司",
        30,
        &["供热管网抢修"],
    ),
    t(
        ("140200", "140213"),
        "中国移动大同分公司应急通信保障队",
        "telecom",
        "enterprise",
        "中国移动大同分公司",
        60,
        &["应急通信", "基站抢通"],
    ),
    t(
        ("140226", "140226"),
        "中国电信左云分公司通信保障队",
        "telecom",
        "enterprise",
        "中国电信左云分公司",
        25,
        &["线路抢修"],
    ),
    t(
        ("140200", "140213"),
        "大同市急救中心紧急医学救援队",
        "medical",
        "public_institution",
        "大同市卫生健康委员会（市急救中心 120）",
        120,
        &["院前急救", "批量伤员转运"],
    ),
    t(
        ("140225", "140225"),
        "浑源县人民医院医疗救护队",
        "medical",
        "public_institution",
        "浑源县卫生健康局（县人民医院）",
        40,
        &["院前急救"],
    ),
    t(
        ("140200", "140213"),
        "大同市地震灾害紧急救援队",
        "earthquake",
        "fire_rescue",
        "依托大同市消防救援支队组建（市应急管理局、市地震局共建）",
        230,
        &["建筑物倒塌搜救", "破拆"],
    ),
    t(
        ("140221", "140221"),
        "阳高县地震应急救援队",
        "earthquake",
        "government",
        "阳高县应急管理局",
        50,
        &["建筑物倒塌搜救"],
    ),
    t(
        ("140200", "140214"),
        "大同市公路应急保障中心抢险队",
        "traffic",
        "government",
        "大同市交通运输局",
        120,
        &["道路抢通", "除雪保通"],
    ),
    t(
        ("140222", "140222"),
        "天镇县公路段应急抢险队",
        "traffic",
        "government",
        "天镇县交通运输局",
        50,
        &["道路抢通"],
    ),
    t(
        ("140200", "140213"),
        "大同市供水有限公司管网抢修队",
        "water",
        "enterprise",
        "大同市供水有限公司",
        80,
        &["供水管网抢修", "排水"],
    ),
    t(
        ("140200", "140214"),
        "大同市建筑工程应急抢险队",
        "construction",
        "enterprise",
        "骨干建筑企业（市住房和城乡建设局调度）",
        200,
        &["工程抢险", "危房排险"],
    ),
    t(
        ("140200", "140213"),
        "大同市航空应急救援队",
        "aviation",
        "government",
        "大同市应急管理局（依托通用航空企业）",
        40,
        &["航空侦察", "吊桶灭火", "空中转运"],
    ),
    t(
        ("140200", "140213"),
        "大同市生态环境应急监测队",
        "environment",
        "public_institution",
        "大同市生态环境局（市生态环境监测中心）",
        40,
        &["水质监测", "大气监测"],
    ),
    t(
        ("140200", "140213"),
        "大同市红十字应急救援队",
        "social",
        "social",
        "大同市红十字会（志愿者组织）",
        150,
        &["救护培训", "群众转移", "物资发放"],
    ),
    t(
        ("140223", "140223"),
        "广灵县壶泉山地救援志愿者协会",
        "social",
        "social",
        "广灵县民政局登记的社会组织",
        40,
        &["山地搜救"],
    ),
];

/// Equipment that fits each team kind: (kind, [(type, unit, model, how many)]).
/// (equipment type, unit, model, how many a city-level team holds).
pub type Kit = (&'static str, &'static str, &'static str, i64);

pub const KIT: [(&str, &[Kit]); 17] = [
    (
        "fire",
        &[
            ("fire_truck", "辆", "水罐泡沫消防车", 8),
            ("rescue_vehicle", "辆", "抢险救援消防车", 3),
            ("breathing_apparatus", "具", "正压式空气呼吸器", 60),
        ],
    ),
    (
        "forest_fire",
        &[
            ("forest_fire_vehicle", "辆", "森林消防运兵车", 4),
            ("drone", "架", "火情侦察无人机", 2),
            ("satellite_phone", "部", "卫星电话", 4),
        ],
    ),
    (
        "mine",
        &[
            ("rescue_vehicle", "辆", "矿山救护车", 4),
            ("breathing_apparatus", "台", "正压氧气呼吸器", 40),
            ("command_vehicle", "辆", "救护指挥车", 1),
        ],
    ),
    (
        "hazmat",
        &[
            ("rescue_vehicle", "辆", "危化品洗消车", 2),
            ("breathing_apparatus", "具", "正压式空气呼吸器", 30),
            ("drone", "架", "气体侦检无人机", 2),
        ],
    ),
    (
        "flood",
        &[
            ("boat", "艘", "冲锋舟", 10),
            ("pump", "台", "大流量排涝泵", 6),
            ("lighting", "套", "移动照明灯组", 8),
        ],
    ),
    (
        "power",
        &[
            ("generator", "台", "应急发电车", 4),
            ("rescue_vehicle", "辆", "电力抢修车", 12),
            ("lighting", "套", "移动照明灯塔", 6),
        ],
    ),
    (
        "gas",
        &[
            ("rescue_vehicle", "辆", "燃气抢险车", 4),
            ("breathing_apparatus", "具", "正压式空气呼吸器", 12),
        ],
    ),
    (
        "heating",
        &[
            ("rescue_vehicle", "辆", "供热抢修车", 6),
            ("excavator", "台", "小型挖掘机", 2),
            ("pump", "台", "排水泵", 4),
        ],
    ),
    (
        "telecom",
        &[
            ("command_vehicle", "辆", "应急通信车", 2),
            ("satellite_phone", "部", "卫星电话", 10),
            ("drone", "架", "系留通信无人机", 1),
        ],
    ),
    (
        "medical",
        &[
            ("ambulance", "辆", "监护型救护车", 12),
            ("command_vehicle", "辆", "医疗指挥车", 1),
        ],
    ),
    (
        "earthquake",
        &[
            ("rescue_vehicle", "辆", "抢险救援车", 4),
            ("lighting", "套", "照明灯组", 6),
            ("drone", "架", "侦察无人机", 2),
            ("generator", "台", "发电机组", 3),
        ],
    ),
    (
        "traffic",
        &[
            ("excavator", "台", "挖掘机", 4),
            ("rescue_vehicle", "辆", "道路清障车", 6),
            ("lighting", "套", "照明灯组", 4),
        ],
    ),
    (
        "water",
        &[
            ("pump", "台", "排水泵", 8),
            ("excavator", "台", "挖掘机", 2),
            ("rescue_vehicle", "辆", "管网抢修车", 5),
        ],
    ),
    (
        "construction",
        &[
            ("excavator", "台", "挖掘机", 10),
            ("generator", "台", "发电机组", 4),
            ("lighting", "套", "照明灯组", 6),
        ],
    ),
    (
        "aviation",
        &[
            ("drone", "架", "固定翼侦察无人机", 3),
            ("command_vehicle", "辆", "现场指挥车", 1),
            ("satellite_phone", "部", "卫星电话", 4),
        ],
    ),
    (
        "environment",
        &[
            ("command_vehicle", "辆", "应急监测车", 2),
            ("drone", "架", "大气监测无人机", 1),
        ],
    ),
    (
        "social",
        &[
            ("rescue_vehicle", "辆", "越野救援车", 4),
            ("boat", "艘", "橡皮艇", 2),
            ("drone", "架", "搜救无人机", 2),
        ],
    ),
];

/// Experts' organisations by field.
pub const EXPERT_ORGS: [(&str, &str); 12] = [
    ("safety_production", "大同市安全生产技术服务中心"),
    ("coal_mine", "塞北能源集团通风安全研究所"),
    ("hazmat", "云冈化工园区安全技术服务中心"),
    ("forest_fire", "大同市林业和草原局"),
    ("flood_drought", "大同市水利勘测设计院"),
    ("geology", "山西省地质勘查局大同地质队"),
    ("earthquake", "大同市地震监测中心"),
    ("meteorology", "大同市气象台"),
    ("medical", "大同市第一人民医院"),
    ("fire", "大同市消防救援支队"),
    ("construction", "大同市建筑设计研究院"),
    ("law", "大同市律师协会"),
];

/// (county, name, industry, scale, employees). Coal in 左云, 云冈 (the old
/// 南郊 area) and 新荣; chemicals in the 云冈 and 阳高 parks; metallurgy in
/// 阳高 and 云州; non-coal mines and building materials in the south-east.
pub const ENTERPRISES: [(&str, &str, &str, &str, i64); 40] = [
    (
        "140226",
        "左云县鑫源煤业有限公司",
        "coal_mine",
        "large",
        1800,
    ),
    (
        "140226",
        "左云县宏泰煤业有限责任公司",
        "coal_mine",
        "medium",
        600,
    ),
    (
        "140226",
        "左云县边墙煤业有限公司",
        "coal_mine",
        "medium",
        450,
    ),
    (
        "140226",
        "左云县华通煤业有限公司",
        "coal_mine",
        "small",
        300,
    ),
    (
        "140214",
        "大同市云西煤业有限公司",
        "coal_mine",
        "large",
        2200,
    ),
    (
        "140214",
        "大同市鼎盛煤业有限责任公司",
        "coal_mine",
        "medium",
        700,
    ),
    (
        "140214",
        "大同市瑞丰煤业有限公司",
        "coal_mine",
        "medium",
        500,
    ),
    (
        "140212",
        "新荣区金泰煤业有限公司",
        "coal_mine",
        "medium",
        400,
    ),
    (
        "140212",
        "新荣区恒达煤业有限公司",
        "coal_mine",
        "small",
        260,
    ),
    ("140214", "大同鑫瑞化工有限公司", "hazmat", "large", 900),
    (
        "140214",
        "大同华晟煤化工有限责任公司",
        "hazmat",
        "large",
        1200,
    ),
    (
        "140214",
        "大同中瑞燃气储运有限公司",
        "hazmat",
        "medium",
        150,
    ),
    ("140221", "阳高县恒信化工有限公司", "hazmat", "medium", 300),
    (
        "140221",
        "阳高县金盛精细化工有限公司",
        "hazmat",
        "small",
        120,
    ),
    ("140212", "大同塞源化肥有限公司", "hazmat", "medium", 400),
    ("140215", "云州区顺达液化气有限公司", "hazmat", "small", 40),
    (
        "140215",
        "大同市云州铸造有限公司",
        "metallurgy",
        "medium",
        350,
    ),
    (
        "140221",
        "阳高县华鑫特钢有限公司",
        "metallurgy",
        "large",
        1100,
    ),
    (
        "140214",
        "大同市通泰铝业有限公司",
        "metallurgy",
        "medium",
        500,
    ),
    (
        "140221",
        "阳高县兴达冶金有限公司",
        "metallurgy",
        "small",
        150,
    ),
    (
        "140215",
        "大同市恒通金属制品有限公司",
        "metallurgy",
        "small",
        120,
    ),
    (
        "140224",
        "灵丘县银峰矿业有限公司",
        "non_coal_mine",
        "medium",
        300,
    ),
    (
        "140224",
        "灵丘县金沟矿业有限公司",
        "non_coal_mine",
        "small",
        120,
    ),
    (
        "140223",
        "广灵县长兴石材有限公司",
        "non_coal_mine",
        "small",
        80,
    ),
    (
        "140225",
        "浑源县恒岳矿业有限公司",
        "non_coal_mine",
        "small",
        90,
    ),
    (
        "140222",
        "天镇县盛源矿业有限公司",
        "non_coal_mine",
        "small",
        70,
    ),
    (
        "140223",
        "广灵县鑫磊水泥有限公司",
        "building_materials",
        "medium",
        260,
    ),
    (
        "140224",
        "灵丘县恒基建材有限公司",
        "building_materials",
        "small",
        90,
    ),
    (
        "140221",
        "阳高县宏达新型建材有限公司",
        "building_materials",
        "small",
        110,
    ),
    (
        "140225",
        "浑源县瑞昌砖业有限公司",
        "building_materials",
        "small",
        60,
    ),
    ("140214", "大同云冈热电有限责任公司", "power", "large", 600),
    ("140226", "左云县坑口发电有限公司", "power", "large", 500),
    ("140212", "大同新荣风力发电有限公司", "power", "small", 40),
    ("140215", "大同市云州光伏发电有限公司", "power", "small", 30),
    ("140222", "天镇县新能源发电有限公司", "power", "small", 35),
    ("140213", "大同市鼓楼商贸有限公司", "trade", "medium", 400),
    ("140213", "大同市和阳百货有限公司", "trade", "medium", 300),
    ("140213", "大同市永泰物流有限公司", "trade", "small", 150),
    (
        "140214",
        "大同市新平旺商贸城有限公司",
        "trade",
        "medium",
        200,
    ),
    (
        "140215",
        "大同市云州农产品市场有限公司",
        "trade",
        "small",
        80,
    ),
];

/// A hazardous substance held: (its key in the GB 18218-2018 表1 catalogue
/// of `supervision::major`, the maximum quantity t). Q and β come from that
/// catalogue: the demo has no figures of its own.
pub type Held = (&'static str, f64);

/// (enterprise, unit name, hazard class, substances, people within 500 m
/// outside the plant, the assessed risk colour when not a major hazard).
pub type Hazard = (
    &'static str,
    &'static str,
    &'static str,
    &'static [Held],
    i64,
    &'static str,
);

pub const HAZARDS: [Hazard; 20] = [
    (
        "大同鑫瑞化工有限公司",
        "甲醇储罐区",
        "storage_tank",
        &[("methanol", 8000.0)],
        120,
        "",
    ),
    (
        "大同鑫瑞化工有限公司",
        "甲醇合成装置",
        "production_unit",
        &[("methanol", 300.0), ("coal_gas", 5.0), ("hydrogen", 2.0)],
        120,
        "",
    ),
    (
        "大同华晟煤化工有限责任公司",
        "液氨储罐区",
        "storage_tank",
        &[("ammonia", 600.0)],
        150,
        "",
    ),
    (
        "大同华晟煤化工有限责任公司",
        "煤气化装置",
        "production_unit",
        &[
            ("coal_gas", 3.0),
            ("hydrogen", 1.0),
            ("hydrogen_sulphide", 0.5),
        ],
        60,
        "yellow",
    ),
    (
        "大同中瑞燃气储运有限公司",
        "液化天然气储罐区",
        "storage_tank",
        &[("natural_gas", 900.0)],
        80,
        "",
    ),
    (
        "阳高县恒信化工有限公司",
        "液氯库区",
        "warehouse",
        &[("chlorine", 70.0)],
        40,
        "",
    ),
    (
        "阳高县金盛精细化工有限公司",
        "甲苯储罐区",
        "storage_tank",
        &[("toluene", 800.0)],
        20,
        "",
    ),
    (
        "大同塞源化肥有限公司",
        "合成氨装置",
        "production_unit",
        &[("ammonia", 150.0)],
        110,
        "",
    ),
    (
        "云州区顺达液化气有限公司",
        "液化石油气储罐区",
        "storage_tank",
        &[("lpg", 40.0)],
        200,
        "yellow",
    ),
    (
        "大同云冈热电有限责任公司",
        "脱硝液氨储罐区",
        "storage_tank",
        &[("ammonia", 60.0)],
        10,
        "",
    ),
    (
        "左云县坑口发电有限公司",
        "脱硝液氨储罐区",
        "storage_tank",
        &[("ammonia", 8.0)],
        0,
        "blue",
    ),
    (
        "左云县鑫源煤业有限公司",
        "主井",
        "mine_shaft",
        &[],
        0,
        "orange",
    ),
    (
        "左云县宏泰煤业有限责任公司",
        "主井",
        "mine_shaft",
        &[],
        0,
        "yellow",
    ),
    (
        "左云县边墙煤业有限公司",
        "主井",
        "mine_shaft",
        &[],
        0,
        "yellow",
    ),
    (
        "大同市云西煤业有限公司",
        "主井",
        "mine_shaft",
        &[],
        0,
        "orange",
    ),
    (
        "大同市鼎盛煤业有限责任公司",
        "主井",
        "mine_shaft",
        &[],
        0,
        "yellow",
    ),
    (
        "新荣区金泰煤业有限公司",
        "主井",
        "mine_shaft",
        &[],
        0,
        "yellow",
    ),
    (
        "灵丘县银峰矿业有限公司",
        "尾矿库",
        "tailings_pond",
        &[],
        0,
        "orange",
    ),
    (
        "灵丘县金沟矿业有限公司",
        "尾矿库",
        "tailings_pond",
        &[],
        0,
        "yellow",
    ),
    (
        "大同市通泰铝业有限公司",
        "煤气柜",
        "storage_tank",
        &[("coal_gas", 4.0)],
        30,
        "yellow",
    ),
];

/// Hazard classes outside GB 18218-2018's scope (§1: 采矿业, except the
/// processing and storage of hazardous chemicals, and off-site transport
/// including pipelines): never a 重大危险源.
pub const NOT_MAJOR_HAZARD: [&str; 3] = ["mine_shaft", "tailings_pond", "pipeline"];

/// The holdings of a unit, as the supervision rule takes them.
pub fn holdings(held: &[Held]) -> Vec<crate::supervision::major::Holding> {
    held.iter()
        .map(|(k, q)| crate::supervision::major::Holding {
            substance: Some((*k).to_string()),
            category: None,
            name: String::new(),
            q_t: *q,
        })
        .collect()
}

/// The grade of a unit by GB 18218-2018 (`supervision::major::grade`, the
/// platform's one rule): "1"…"4", or "none" when it is not a 重大危险源.
pub fn grade(people: i64, held: &[Held]) -> &'static str {
    crate::supervision::major::grade(&holdings(held), people)
        .ok()
        .and_then(|w| w.grade)
        .map_or("none", crate::supervision::major::MajorGrade::as_str)
}

/// A 重大危险源's risk colour: 一级、二级 重大风险 (red), 三级、四级 较大风险
/// (orange); others keep their assessed colour.
pub fn risk_color(level: &str, assessed: &'static str) -> &'static str {
    match level {
        "1" | "2" => "red",
        "3" | "4" => "orange",
        _ => assessed,
    }
}

/// GB 21734-2008 per-person effective area (m²); the shelter rule's value.
pub use crate::resources::M2_PER_PERSON;

/// (division, name, class, days, effective area m², served population,
/// type). Ⅰ类: the plan's two named sites, each for 20,000 people (the
/// plan's figure for a Ⅰ类 site); Ⅱ类: the plan's four city-level sites in
/// the urban districts (10,000 each, the plan's figure) and four in county
/// seats; Ⅲ类: school grounds and squares near homes.
pub const SHELTERS: [(&str, &str, &str, i64, f64, i64, &str); 21] = [
    (
        "140213",
        "市示范性教育实践基地",
        "I",
        30,
        30_000.0,
        200_000,
        "mixed",
    ),
    (
        "140213",
        "御河东岸生态园",
        "I",
        30,
        30_000.0,
        200_000,
        "outdoor",
    ),
    (
        "140213",
        "大同市体育中心应急避难场所",
        "II",
        15,
        15_000.0,
        100_000,
        "mixed",
    ),
    (
        "140213",
        "文瀛湖公园应急避难场所",
        "II",
        15,
        15_000.0,
        100_000,
        "outdoor",
    ),
    (
        "140213",
        "御河西岸公园应急避难场所",
        "II",
        15,
        15_000.0,
        100_000,
        "outdoor",
    ),
    (
        "140214",
        "新平旺广场应急避难场所",
        "II",
        15,
        15_000.0,
        100_000,
        "outdoor",
    ),
    (
        "140215",
        "云州区中心广场应急避难场所",
        "II",
        15,
        9_000.0,
        60_000,
        "outdoor",
    ),
    (
        "140221",
        "阳高县体育场应急避难场所",
        "II",
        15,
        9_000.0,
        60_000,
        "outdoor",
    ),
    (
        "140225",
        "浑源县恒山广场应急避难场所",
        "II",
        15,
        9_000.0,
        60_000,
        "outdoor",
    ),
    (
        "140224",
        "灵丘县平型关广场应急避难场所",
        "II",
        15,
        9_000.0,
        60_000,
        "outdoor",
    ),
    (
        "140213",
        "平城区第一实验小学紧急避难场所",
        "III",
        3,
        3_000.0,
        20_000,
        "outdoor",
    ),
    (
        "140213",
        "平城区向阳街社区广场紧急避难场所",
        "III",
        3,
        3_000.0,
        20_000,
        "outdoor",
    ),
    (
        "140213",
        "平城区北关中学紧急避难场所",
        "III",
        3,
        3_000.0,
        20_000,
        "outdoor",
    ),
    (
        "140214",
        "云冈区第二中学紧急避难场所",
        "III",
        3,
        3_000.0,
        20_000,
        "outdoor",
    ),
    (
        "140214",
        "云冈区口泉广场紧急避难场所",
        "III",
        3,
        3_000.0,
        20_000,
        "outdoor",
    ),
    (
        "140212",
        "新荣区第一中学紧急避难场所",
        "III",
        3,
        3_000.0,
        20_000,
        "outdoor",
    ),
    (
        "140222",
        "天镇县玉泉广场紧急避难场所",
        "III",
        3,
        3_000.0,
        20_000,
        "outdoor",
    ),
    (
        "140223",
        "广灵县壶泉广场紧急避难场所",
        "III",
        3,
        3_000.0,
        20_000,
        "outdoor",
    ),
    (
        "140226",
        "左云县第一中学紧急避难场所",
        "III",
        3,
        3_000.0,
        20_000,
        "outdoor",
    ),
    (
        "140221",
        "阳高县龙泉小学紧急避难场所",
        "III",
        3,
        3_000.0,
        20_000,
        "outdoor",
    ),
    (
        "140215",
        "云州区西坪中学紧急避难场所",
        "III",
        3,
        3_000.0,
        20_000,
        "outdoor",
    ),
];

/// Whether a name repeats a word of two or more characters back to back
/// (“救援救援”).
pub fn doubled_word(name: &str) -> Option<String> {
    let c: Vec<char> = name.chars().collect();
    for len in 2..=4 {
        for i in 0..c.len().saturating_sub(2 * len - 1) {
            // Numbers (演示订阅者00101) are no words.
            if c[i..i + len] == c[i + len..i + 2 * len]
                && !c[i..i + len].iter().any(char::is_ascii_digit)
            {
                return Some(c[i..i + len].iter().collect());
            }
        }
    }
    None
}

/// Service hotlines that must never be a duty phone (12345 政务服务, 12350
/// 安全生产举报, 110/119/120/122, 12119 森林火警, 12395, 12369, 12315).
pub const HOTLINES: [&str; 10] = [
    "110", "119", "120", "122", "12119", "12345", "12350", "12369", "12315", "12395",
];

/// Whether a phone number is (or ends in, after the area code) a hotline.
pub fn is_hotline(phone: &str) -> bool {
    let local = phone.rsplit('-').next().unwrap_or(phone);
    HOTLINES.contains(&local)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gb18218_grades() {
        // (people, held, level)
        let cases: [(i64, &[Held], &str); 7] = [
            (120, &[("methanol", 8000.0)], "3"),
            (150, &[("ammonia", 600.0)], "1"),
            (40, &[("chlorine", 70.0)], "2"),
            (20, &[("toluene", 800.0)], "4"),
            (200, &[("lpg", 40.0)], "none"),
            (0, &[], "none"),
            (0, &[("ammonia", 10.0)], "4"),
        ];
        for (people, held, want) in cases {
            assert_eq!(grade(people, held), want, "{people} {held:?}");
        }
    }

    #[test]
    fn doubled_words_and_hotlines() {
        for (name, want) in [
            ("大同市航空救援救援支队", Some("救援")),
            ("大同市消防救援支队特勤大队", None),
            ("大同市燃气有限公司抢险抢修队", None),
            ("应急应急", Some("应急")),
        ] {
            assert_eq!(doubled_word(name).as_deref(), want, "{name}");
        }
        assert!(is_hotline("0352-12350"));
        assert!(is_hotline("12345"));
        assert!(!is_hotline("0352-5120350"));
    }

    #[test]
    fn tables_are_consistent() {
        let mut people = 0;
        for t in &TEAMS {
            assert!(doubled_word(t.name).is_none(), "{}", t.name);
            assert!(KIT.iter().any(|k| k.0 == t.kind), "{}", t.kind);
            if t.division == "140200" {
                assert!(URBAN.contains(&t.place), "{}", t.name);
            } else {
                assert_eq!(t.division, t.place, "{}", t.name);
            }
            people += t.headcount;
        }
        assert_eq!(people, 3636);
        for h in &HAZARDS {
            assert!(ENTERPRISES.iter().any(|e| e.1 == h.0), "{}", h.0);
            let level = grade(h.4, h.3);
            if NOT_MAJOR_HAZARD.contains(&h.2) {
                assert_eq!(level, "none", "{} {}", h.0, h.1);
            }
            assert!(!risk_color(level, h.5).is_empty(), "{} {}", h.0, h.1);
        }
    }
}
