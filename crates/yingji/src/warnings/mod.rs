//! Public warnings (预警信息发布): the desk's rules. A warning is drafted
//! from a hazard template, submitted, approved by someone other than its
//! author, published as CAP 1.2 (GB/T 35965.1 profile: colour ↔ level ↔
//! severity, 12-digit geocodes, bilingual zh-CN/en-US info), and later
//! updated or cancelled by new messages that reference it.
//!
//! Pure: no SQL, no HTTP, no clock reads (times are parameters).

pub mod api;
pub mod jobs;
pub mod matcher;
pub mod model;
pub mod store;

use std::collections::BTreeMap;

pub use crate::error::RuleError;
use crate::error::{FieldError, Refusal};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use yingji_cap::china::{self, InfoText, IssuerCode, WarningLevel};
use yingji_cap::{
    Alert, Area, Category, Certainty, Circle, DateTime, Info, MsgType, Point, Polygon, Reference,
    ResponseType, Scope, Status, Urgency, ValuePair,
};

/// `[warnings]` in the configuration: delivery channels and the webhook
/// signing key.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WarningsConfig {
    /// Key each subscriber's webhook secret is derived from (default: a
    /// random key made on first use and kept in the database).
    pub webhook_secret: Option<String>,
    /// SMS gateway, SMTP, MQTT broadcast, retry policy (`yingji-channels`).
    pub channels: yingji_channels::ChannelsConfig,
    /// How often the delivery worker looks for due deliveries (ms).
    pub worker_interval_ms: u64,
    /// Deliveries leased at once by the worker.
    pub worker_batch: i64,
    /// Deliveries in flight at once (each to its own recipient).
    pub worker_concurrency: usize,
    /// Subscribers read per planning transaction: publishing answers at
    /// once and the planner writes the deliveries in batches this large,
    /// each its own short transaction (default 1,000: tens of ms of the
    /// write lock on SQLite).
    pub plan_batch: i64,
    /// Pause between two planning batches (ms, default 0).
    pub plan_pause_ms: u64,
    /// How long a planning batch may hold the write transaction (ms,
    /// default 50): batches shrink below `plan_batch` when they take longer
    /// ([`jobs::next_plan_batch`]).
    pub plan_hold_ms: u64,
}

impl Default for WarningsConfig {
    fn default() -> Self {
        WarningsConfig {
            webhook_secret: None,
            channels: Default::default(),
            worker_interval_ms: 2000,
            worker_batch: 500,
            worker_concurrency: 64,
            plan_batch: 1_000,
            plan_pause_ms: 0,
            plan_hold_ms: 50,
        }
    }
}

/// Where a warning is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WarningState {
    /// 草稿
    Draft,
    /// 待审批
    Submitted,
    /// 已审批
    Approved,
    /// 已发布
    Published,
    /// 已被更新（a later Update replaces it）
    Superseded,
    /// 已解除
    Cancelled,
    /// 已过期
    Expired,
}

impl WarningState {
    pub fn as_str(self) -> &'static str {
        match self {
            WarningState::Draft => "draft",
            WarningState::Submitted => "submitted",
            WarningState::Approved => "approved",
            WarningState::Published => "published",
            WarningState::Superseded => "superseded",
            WarningState::Cancelled => "cancelled",
            WarningState::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<WarningState> {
        [
            WarningState::Draft,
            WarningState::Submitted,
            WarningState::Approved,
            WarningState::Published,
            WarningState::Superseded,
            WarningState::Cancelled,
            WarningState::Expired,
        ]
        .into_iter()
        .find(|w| w.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            WarningState::Draft => "草稿",
            WarningState::Submitted => "待审批",
            WarningState::Approved => "已审批",
            WarningState::Published => "已发布",
            WarningState::Superseded => "已更新",
            WarningState::Cancelled => "已解除",
            WarningState::Expired => "已过期",
        }
    }

    /// In force: published and not replaced, cancelled or expired.
    pub fn in_force(self) -> bool {
        self == WarningState::Published
    }
}

/// Whether a warning is in force at `now`: published, not itself a
/// cancellation message (解除), and not expired. The list, the map and the
/// situation board read it (`WarningView.in_force`) instead of copying it.
pub fn in_force_at(
    state: WarningState,
    is_cancel_message: bool,
    expires_at: OffsetDateTime,
    now: OffsetDateTime,
) -> bool {
    state.in_force() && !is_cancel_message && expires_at > now
}

/// What can happen to a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WarningEvent {
    Submit,
    /// By `approver`; never the author.
    Approve {
        approver: String,
    },
    /// Back to the author with a reason.
    Reject {
        reason: String,
    },
    Publish,
    /// A later Update was published.
    Supersede,
    /// 解除: a Cancel message was published.
    Cancel {
        reason: String,
    },
    Expire,
}

impl WarningEvent {
    pub fn as_str(&self) -> &'static str {
        match self {
            WarningEvent::Submit => "submit",
            WarningEvent::Approve { .. } => "approve",
            WarningEvent::Reject { .. } => "reject",
            WarningEvent::Publish => "publish",
            WarningEvent::Supersede => "supersede",
            WarningEvent::Cancel { .. } => "cancel",
            WarningEvent::Expire => "expire",
        }
    }
}

impl WarningState {
    /// The state after `event` on a warning written by `author`.
    pub fn transition(self, event: &WarningEvent, author: &str) -> Result<WarningState, RuleError> {
        use WarningEvent as E;
        use WarningState as S;
        let refuse = |r: Refusal| Err(RuleError::State(r));
        match (self, event) {
            (S::Draft, E::Submit) => Ok(S::Submitted),
            (_, E::Submit) => refuse(Refusal::new("warning_not_draft", "只有草稿可以提交审批")),
            (S::Submitted, E::Approve { approver }) => {
                if approver.trim() == author.trim() {
                    refuse(Refusal::new(
                        "warning_author_no_approve",
                        "审批人不能是起草人",
                    ))
                } else {
                    Ok(S::Approved)
                }
            }
            (_, E::Approve { .. }) => refuse(Refusal::new(
                "warning_not_submitted",
                "只有待审批的预警可以审批",
            )),
            (S::Submitted | S::Approved, E::Reject { reason }) => {
                if reason.trim().is_empty() {
                    Err(FieldError::new("reason", "退回需说明原因")
                        .code("required")
                        .into())
                } else {
                    Ok(S::Draft)
                }
            }
            (_, E::Reject { .. }) => refuse(Refusal::new(
                "warning_not_rejectable",
                "只有待审批或已审批未发布的预警可以退回",
            )),
            (S::Approved, E::Publish) => Ok(S::Published),
            (S::Draft | S::Submitted, E::Publish) => refuse(Refusal::new(
                "warning_not_approved",
                "未经审批的预警不能发布",
            )),
            (_, E::Publish) => refuse(Refusal::new(
                "warning_already_published",
                "该预警已发布或已结束",
            )),
            (S::Published, E::Supersede) => Ok(S::Superseded),
            (_, E::Supersede) => refuse(Refusal::new(
                "warning_not_published_supersede",
                "只有已发布的预警可以被更新",
            )),
            (S::Published, E::Cancel { reason }) => {
                if reason.trim().is_empty() {
                    Err(FieldError::new("reason", "解除预警需说明原因")
                        .code("required")
                        .into())
                } else {
                    Ok(S::Cancelled)
                }
            }
            (_, E::Cancel { .. }) => refuse(Refusal::new(
                "warning_not_published_cancel",
                "只有已发布的预警可以解除",
            )),
            (S::Published, E::Expire) => Ok(S::Expired),
            (_, E::Expire) => refuse(Refusal::new(
                "warning_not_published_expire",
                "只有已发布的预警会过期",
            )),
        }
    }
}

/// A step a user asks of a warning (`POST /warnings/{id}/events`, tagged by
/// `kind`). Cancelling and updating a published warning publish a new CAP
/// message and have their own endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum WarningCommand {
    /// 提交审批.
    Submit {},
    /// 审批 (a commander, never the author).
    Approve {},
    /// 退回, with the reason.
    Reject {
        #[serde(default)]
        reason: String,
    },
    /// 签发.
    Publish {},
}

/// 《大同市突发事件总体应急预案》: warnings are approved and issued (审批、签发)
/// by the leader in command, not by the duty officer who drafts them.
pub fn commander_only(cmd: &WarningCommand) -> bool {
    matches!(cmd, WarningCommand::Approve {} | WarningCommand::Publish {})
}

impl WarningCommand {
    /// The event of this command by `actor`.
    pub fn event(self, actor: &str) -> WarningEvent {
        match self {
            WarningCommand::Submit {} => WarningEvent::Submit,
            WarningCommand::Approve {} => WarningEvent::Approve {
                approver: actor.into(),
            },
            WarningCommand::Reject { reason } => WarningEvent::Reject { reason },
            WarningCommand::Publish {} => WarningEvent::Publish,
        }
    }
}

/// What `actor` may do to a warning in `state` written by `author` now:
/// the commands the state machine and the role allow, `edit` while a draft,
/// `revise` and `cancel` (a commander's) while published — unless it is
/// itself a Cancel message. Empty for who may not write warnings there.
pub fn warning_allowed(
    state: WarningState,
    author: &str,
    is_cancel_message: bool,
    actor: &str,
    commander: bool,
    may_write: bool,
) -> Vec<&'static str> {
    if !may_write {
        return Vec::new();
    }
    let samples = [
        (WarningCommand::Submit {}, "submit"),
        (WarningCommand::Approve {}, "approve"),
        (WarningCommand::Reject { reason: "-".into() }, "reject"),
        (WarningCommand::Publish {}, "publish"),
    ];
    let mut out = Vec::new();
    if state == WarningState::Draft {
        out.push("edit");
    }
    for (cmd, name) in samples {
        if commander_only(&cmd) && !commander {
            continue;
        }
        if state.transition(&cmd.event(actor), author).is_ok() {
            out.push(name);
        }
    }
    if state == WarningState::Published && !is_cancel_message {
        out.push("revise");
        if commander {
            out.push("cancel");
        }
    }
    out
}

/// A hazard template (暴雨, 大风 …): event names, CAP category and the
/// default instruction per level (lowest first: 蓝 黄 橙 红).
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct Template {
    pub key: &'static str,
    pub event_zh: &'static str,
    pub event_en: &'static str,
    #[serde(skip)]
    pub category: Category,
    pub instructions: [&'static str; 4],
}

/// The hazard templates of the desk. Instructions follow the national
/// meteorological warning signals' 防御指南 and the 停工停课停业 practice.
pub const TEMPLATES: &[Template] = &[
    Template {
        key: "rainstorm",
        event_zh: "暴雨",
        event_en: "Rainstorm",
        category: Category::Met,
        instructions: [
            "做好防暴雨准备；检查城市、农田排水系统，做好排涝准备。",
            "做好防暴雨工作；交通管理部门根据路况对积水路段实行交通引导；切断低洼地带有危险的室外电源。",
            "做好防暴雨应急工作；切断有危险的室外电源，暂停户外作业；处于危险地带的学校停课、单位停工，转移危险区人员。",
            "做好防暴雨应急和抢险工作；停止集会、停课、停业（除特殊行业外）；做好山洪、滑坡、泥石流等灾害的防御和抢险。",
        ],
    },
    Template {
        key: "gale",
        event_zh: "大风",
        event_en: "Gale",
        category: Category::Met,
        instructions: [
            "做好防风准备；关好门窗，加固围板、棚架、广告牌等易被风吹动的搭建物。",
            "做好防风工作；停止露天活动和高空等户外危险作业；危险地带人员撤离。",
            "做好防风应急工作；房屋抗风能力较弱的中小学校和单位停课、停业，人员减少外出。",
            "做好防风应急和抢险工作；人员应当尽可能停留在防风安全的地方；停课、停业（除特殊行业外）。",
        ],
    },
    Template {
        key: "forest_fire",
        event_zh: "森林火险",
        event_en: "Forest fire danger",
        category: Category::Fire,
        instructions: [
            "注意防范森林火灾，禁止野外违规用火。",
            "加强森林防火巡查，严禁野外用火，做好扑火准备。",
            "进入森林防火紧急期，禁止一切野外用火，扑火队伍集结待命。",
            "森林火险极高，禁止进入林区，扑火力量靠前驻防，做好转移准备。",
        ],
    },
    Template {
        key: "geohazard",
        event_zh: "地质灾害",
        event_en: "Geological hazard",
        category: Category::Geo,
        instructions: [
            "地质灾害风险较低，注意巡查隐患点。",
            "加强地质灾害隐患点巡查监测，做好转移准备。",
            "地质灾害风险高，危险区人员及时转移避让，停止户外作业。",
            "地质灾害风险很高，立即组织危险区人员撤离，停工停课。",
        ],
    },
    Template {
        key: "cold_wave",
        event_zh: "寒潮",
        event_en: "Cold wave",
        category: Category::Met,
        instructions: [
            "做好防寒保暖和防风准备，注意供暖设施安全。",
            "做好防寒保暖工作，农业、畜牧业做好防冻措施，注意防范煤气中毒。",
            "做好防寒应急工作，保障供暖和能源供应，户外作业人员采取防寒措施。",
            "做好防寒应急和抢险工作，必要时停课、停业，保障群众基本生活。",
        ],
    },
    Template {
        key: "earthquake",
        event_zh: "地震速报",
        event_en: "Earthquake report",
        category: Category::Geo,
        instructions: [
            "保持冷静，注意余震。",
            "检查房屋安全，远离危险建筑物，注意余震。",
            "撤离到开阔地带或应急避难场所，远离危险建筑物，服从现场指挥。",
            "立即撤离到应急避难场所，远离危险建筑物，等待救援，服从统一指挥。",
        ],
    },
    // The other signals of 《气象灾害预警信号发布与传播办法》(中国气象局令
    // 第16号): instructions shortened from its 附件's 防御指南, lowest level
    // first (a signal the 附件 does not define at a level keeps the nearest
    // level's advice).
    Template {
        key: "typhoon",
        event_zh: "台风",
        event_en: "Typhoon",
        category: Category::Met,
        instructions: [
            "做好防风准备；注意有关媒体报道的台风最新消息和有关防风通知。",
            "做好防风应急准备；停止室内外大型集会和高空等户外危险作业；加固门窗、围板、棚架、广告牌等易被风吹动的搭建物。",
            "做好防风抢险应急工作；停止室内外大型集会、停课、停业（除特殊行业外）；人员尽可能待在防风安全的地方。",
            "进入特别紧急防风状态；停止集会、停课、停业（除特殊行业外）；做好危险地带人员转移和抢险救灾工作。",
        ],
    },
    Template {
        key: "snowstorm",
        event_zh: "暴雪",
        event_en: "Snowstorm",
        category: Category::Met,
        instructions: [
            "做好防雪灾和防冻害准备；交通、铁路、电力、通信等部门进行道路、线路巡查维护，做好道路清扫和积雪融化工作。",
            "做好防雪灾和防冻害工作；加固棚架等易被雪压的临时搭建物；驾驶人员小心驾驶，采取防滑措施。",
            "做好防雪灾和防冻害应急工作；减少不必要的户外活动；必要时关闭道路交通，将野外牲畜赶到圈里喂养。",
            "做好防雪灾和防冻害应急和抢险工作；必要时停课、停业（除特殊行业外）；必要时飞机暂停起降，火车暂停运行，高速公路暂时封闭。",
        ],
    },
    Template {
        key: "sandstorm",
        event_zh: "沙尘暴",
        event_en: "Sandstorm",
        category: Category::Met,
        instructions: [
            "做好防风防沙准备；关好门窗，加固围板、棚架等；老人、儿童及患有呼吸道疾病的人员减少外出。",
            "做好防风防沙准备；关好门窗，加固围板、棚架等；老人、儿童及患有呼吸道疾病的人员不要外出。",
            "做好防风防沙应急工作；人员应当待在防风安全的地方，外出时佩戴口罩、纱巾等防尘用品；驾驶人员注意沙尘暴变化，小心驾驶。",
            "做好防风防沙应急抢险工作；人员应当留在防风、防尘的地方，不要在户外活动；飞机暂停起降，火车暂停运行，高速公路暂时封闭。",
        ],
    },
    Template {
        key: "heat",
        event_zh: "高温",
        event_en: "High temperature",
        category: Category::Met,
        instructions: [
            "做好防暑降温准备；午后尽量减少户外活动；对老、弱、病、幼人群提供防暑降温指导。",
            "做好防暑降温准备；午后尽量减少户外活动；对老、弱、病、幼人群提供防暑降温指导；高温条件下作业的人员缩短连续工作时间。",
            "做好防暑降温工作；午后尽量减少户外活动；注意防范因用电量过高引起的电线、变压器等电力设备火灾。",
            "采取有效措施防暑降温；停止户外露天作业（除特殊行业外）；对老、弱、病、幼人群采取保护措施；特别注意防火。",
        ],
    },
    Template {
        key: "drought",
        event_zh: "干旱",
        event_en: "Drought",
        category: Category::Met,
        instructions: [
            "做好抗旱准备；节约用水，加强水源调度。",
            "做好抗旱工作；有关部门和单位按照职责启动抗旱应急预案，节约用水。",
            "做好抗旱工作；启用应急备用水源，调度辖区内一切可用水源，优先保障城乡居民生活用水和牲畜饮水；压减城镇供水指标，限制高耗水行业用水。",
            "做好防御干旱的应急和救灾工作；各级政府和有关部门启动远距离调水等应急供水方案，采取提外水、打深井、车载送水等多种手段确保城乡居民生活和牲畜饮水；限时或限量供应城镇居民生活用水，缩小或者阶段性停止农业灌溉供水；严禁非生产性高耗水及服务业用水，暂停排放工业污水。",
        ],
    },
    Template {
        key: "lightning",
        event_zh: "雷电",
        event_en: "Lightning",
        category: Category::Met,
        instructions: [
            "做好防雷工作；户外人员躲入有防雷设施的建筑物或者汽车内。",
            "做好防雷工作；密切关注天气，尽量避免户外活动。",
            "做好防雷应急工作；人员应当留在室内，并关好门窗；户外人员躲入有防雷设施的建筑物或者汽车内；切断危险电源，不要在树下、电杆下、塔吊下避雨。",
            "做好防雷应急抢险工作；人员应当尽量躲入有防雷设施的建筑物或者汽车内，并关好门窗；切勿接触天线、水管、铁丝网、金属门窗、建筑物外墙，远离电线等带电设备和其他类似金属装置；尽量不要使用无防雷装置或者防雷装置不完备的电视、电话等电器。",
        ],
    },
    Template {
        key: "hail",
        event_zh: "冰雹",
        event_en: "Hail",
        category: Category::Met,
        instructions: [
            "做好防冰雹准备；户外行人立即到安全的地方暂避；驱赶家禽、牲畜进入有顶蓬的场所，妥善保护易受冰雹袭击的汽车等室外物品或者设备。",
            "做好防冰雹准备；户外行人立即到安全的地方暂避；驱赶家禽、牲畜进入有顶蓬的场所，妥善保护易受冰雹袭击的汽车等室外物品或者设备。",
            "做好防冰雹的应急工作；气象部门做好人工防雹作业准备并择机进行作业；户外行人立即到安全的地方暂避；注意防御冰雹天气伴随的雷电灾害。",
            "做好防冰雹的应急和抢险工作；气象部门适时开展人工防雹作业；户外行人立即到安全的地方暂避；驱赶家禽、牲畜进入有顶蓬的场所；注意防御冰雹天气伴随的雷电灾害。",
        ],
    },
    Template {
        key: "frost",
        event_zh: "霜冻",
        event_en: "Frost",
        category: Category::Met,
        instructions: [
            "做好防霜冻准备；农村基层组织做好农作物、林业育种的防冻害措施；农村可以采取田间灌溉等防护措施。",
            "做好防霜冻应急工作；农村基层组织做好农作物、林业育种的防冻害措施；农村可以采取田间灌溉等防护措施。",
            "做好防霜冻应急工作；农村基层组织要广泛发动群众，防灾抗灾；对农作物、蔬菜、花卉、瓜果、林业育种要采取积极的应对措施，尽量减少损失。",
            "做好防霜冻应急工作；对农作物、蔬菜、花卉、瓜果、林业育种采取积极的应对措施，尽量减少损失。",
        ],
    },
    Template {
        key: "fog",
        event_zh: "大雾",
        event_en: "Dense fog",
        category: Category::Met,
        instructions: [
            "做好防雾准备；驾驶人员注意雾的变化，小心驾驶；户外活动注意安全。",
            "做好防雾准备；驾驶人员注意雾的变化，小心驾驶；户外活动注意安全。",
            "做好防雾工作；机场、高速公路、轮渡码头等单位加强调度指挥；驾驶人员控制速度，确保安全；减少户外活动。",
            "做好防雾应急工作；有关单位按照行业规定适时采取交通安全管制措施，如机场暂停飞机起降，高速公路暂时封闭，轮渡暂时停航等；不要进行户外活动。",
        ],
    },
    Template {
        key: "haze",
        event_zh: "霾",
        event_en: "Haze",
        category: Category::Met,
        instructions: [
            "空气质量明显降低，人员需适当防护；呼吸道疾病患者尽量减少外出。",
            "空气质量明显降低，人员需适当防护；呼吸道疾病患者尽量减少外出，外出时可戴上口罩。",
            "空气质量差，人员需适当防护；一般人群适量减少户外活动，儿童、老人及易感人群应减少外出。",
            "空气质量很差，人员需加强防护；一般人群避免户外活动，儿童、老人及易感人群应当留在室内；机场、高速公路等单位加强交通管理。",
        ],
    },
    Template {
        key: "road_icing",
        event_zh: "道路结冰",
        event_en: "Road icing",
        category: Category::Met,
        instructions: [
            "交通、公安等部门要按照职责做好道路结冰应对准备工作；驾驶人员应当注意路况，安全行驶；行人外出尽量少骑自行车，注意防滑。",
            "交通、公安等部门要按照职责做好道路结冰应对准备工作；驾驶人员应当注意路况，安全行驶；行人外出尽量少骑自行车，注意防滑。",
            "交通、公安等部门要按照职责做好道路结冰应急工作；驾驶人员必须采取防滑措施，听从指挥，慢速驾驶；行人出门注意防滑。",
            "交通、公安等部门做好道路结冰应急和抢险工作；交通、公安等部门注意指挥和疏导行驶车辆，必要时关闭结冰道路交通；人员尽量减少外出。",
        ],
    },
    Template {
        key: "suspension",
        event_zh: "停工停课停业",
        event_en: "Suspension of work, classes and business",
        category: Category::Safety,
        instructions: [
            "相关单位做好停工停课准备。",
            "危险区域内的学校停课、工地停工。",
            "辖区内中小学、幼儿园停课，户外作业停工，人员密集场所停业（保障民生的行业除外）。",
            "全面停工、停课、停业（保障民生和应急抢险的行业除外），群众非必要不外出。",
        ],
    },
];

pub fn template(key: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.key == key)
}

/// Parse a level given as colour (蓝/yellow/…), Roman (Ⅳ…Ⅰ) or number.
pub fn parse_level(s: &str) -> Result<WarningLevel, RuleError> {
    china::WarningLevel::parse(s).map_err(|e| {
        FieldError::new("level", e.to_string())
            .code("not_allowed")
            .param("allowed", "blue, yellow, orange, red")
            .into()
    })
}

fn level_index(l: WarningLevel) -> usize {
    match l {
        WarningLevel::Blue => 0,
        WarningLevel::Yellow => 1,
        WarningLevel::Orange => 2,
        WarningLevel::Red => 3,
    }
}

/// The area a warning targets: drawn polygons (`[lon, lat]` rings), circles
/// and chosen divisions, in any combination (at least one).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TargetSpec {
    /// Rings of `[lon, lat]` (closed or not; closed on use).
    pub polygons: Vec<Vec<[f64; 2]>>,
    pub circles: Vec<CircleSpec>,
    /// Division codes (any level).
    pub divisions: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CircleSpec {
    pub lon: f64,
    pub lat: f64,
    pub radius_m: f64,
}

impl TargetSpec {
    /// Every problem, naming its place (`area.polygons[0]` …).
    pub fn check(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if self.polygons.is_empty() && self.circles.is_empty() && self.divisions.is_empty() {
            out.push(
                FieldError::new("area", "请在地图上绘制范围或选择行政区划").code("area_required"),
            );
        }
        let ok = |p: &[f64; 2]| {
            p[0].is_finite()
                && p[1].is_finite()
                && (-180.0..=180.0).contains(&p[0])
                && (-90.0..=90.0).contains(&p[1])
        };
        for (i, ring) in self.polygons.iter().enumerate() {
            let mut distinct = ring.clone();
            if distinct.len() > 1 && distinct.first() == distinct.last() {
                distinct.pop();
            }
            if distinct.len() < 3 {
                out.push(
                    FieldError::new(format!("area.polygons[{i}]"), "多边形至少需要 3 个不同的点")
                        .code("polygon_too_few_points"),
                );
            }
            if let Some(j) = ring.iter().position(|p| !ok(p)) {
                out.push(
                    FieldError::new(
                        format!("area.polygons[{i}][{j}]"),
                        "经纬度超出范围（经度 −180…180，纬度 −90…90）",
                    )
                    .code("not_a_location"),
                );
            }
        }
        for (i, c) in self.circles.iter().enumerate() {
            if !ok(&[c.lon, c.lat]) {
                out.push(
                    FieldError::new(format!("area.circles[{i}]"), "圆心经纬度超出范围")
                        .code("not_a_location"),
                );
            }
            if !(c.radius_m.is_finite() && c.radius_m > 0.0 && c.radius_m <= 500_000.0) {
                out.push(
                    FieldError::new(
                        format!("area.circles[{i}].radius_m"),
                        "半径应大于 0 且不超过 500 公里",
                    )
                    .code("out_of_range")
                    .param("min", 0)
                    .param("max", 500_000),
                );
            }
        }
        out
    }

    /// Closed rings.
    pub fn closed_polygons(&self) -> Vec<Vec<[f64; 2]>> {
        self.polygons
            .iter()
            .map(|r| {
                let mut r = r.clone();
                if r.first() != r.last() {
                    if let Some(f) = r.first().copied() {
                        r.push(f);
                    }
                }
                r
            })
            .collect()
    }
}

/// What the CAP message needs of a warning.
#[derive(Debug, Clone)]
pub struct CapInput<'a> {
    pub identifier: &'a str,
    /// e.g. `yingji@140200` — the issuing organisation's sender id.
    pub sender: &'a str,
    pub sender_name: &'a str,
    pub sent: OffsetDateTime,
    pub exercise: bool,
    pub msg_type: MsgType,
    pub references: Vec<Reference>,
    pub template: &'a Template,
    pub level: WarningLevel,
    pub headline: Option<&'a str>,
    pub description: &'a str,
    pub instruction: &'a str,
    pub onset: Option<OffsetDateTime>,
    pub expires: OffsetDateTime,
    pub area_desc: &'a str,
    pub area: &'a TargetSpec,
    /// 12-digit codes of the divisions chosen or touched.
    pub geocodes: &'a [String],
    pub web: Option<String>,
}

fn cap_time(t: OffsetDateTime) -> Result<DateTime, RuleError> {
    DateTime::from_unix_seconds(t.unix_timestamp(), 480).map_err(|e| {
        FieldError::new("time", e.to_string())
            .code("date_out_of_range")
            .into()
    })
}

/// An identifier per GB/T 35965.1: `{division}{org}{unit}{ext}_{time}_{seq}`
/// with the issuing division's 6-digit code and organisation code `416`
/// replaced by the emergency-management code given.
pub fn cap_identifier(
    division6: &str,
    org: &str,
    at: OffsetDateTime,
    seq: u8,
) -> Result<String, RuleError> {
    let issuer = IssuerCode::new(division6, org).map_err(|e| {
        RuleError::from(FieldError::new("division", e.to_string()).code("bad_division"))
    })?;
    china::identifier(&issuer, &cap_time(at)?, seq % 10).map_err(|e| {
        FieldError::new("identifier", e.to_string())
            .code("bad_identifier")
            .into()
    })
}

/// The CAP 1.2 alert of a warning (zh-CN and en-US info blocks).
pub fn build_alert(w: &CapInput<'_>) -> Result<Alert, RuleError> {
    let status = if w.exercise {
        Status::Exercise
    } else {
        Status::Actual
    };
    let mut alert = Alert::new(
        w.identifier,
        w.sender,
        cap_time(w.sent)?,
        status,
        w.msg_type,
        Scope::Public,
    );
    alert.references = w.references.clone();
    let urgency = if w.onset.is_some_and(|o| o > w.sent) {
        Urgency::Expected
    } else {
        Urgency::Immediate
    };
    let mut base = Info::new(
        w.template.category,
        w.template.event_zh,
        urgency,
        w.level.severity(),
        Certainty::Likely,
    );
    base.response_types = vec![if w.msg_type == MsgType::Cancel {
        ResponseType::AllClear
    } else {
        ResponseType::Prepare
    }];
    base.effective = Some(cap_time(w.sent)?);
    base.onset = w.onset.map(cap_time).transpose()?;
    base.expires = Some(cap_time(w.expires)?);
    base.sender_name = Some(w.sender_name.to_string());
    base.web = w.web.clone();
    base.event_codes = vec![ValuePair::new("yingji:hazard", w.template.key)];
    base.parameters = vec![ValuePair::new("warning_level", w.level.code())];
    let mut area = Area::new(w.area_desc);
    for ring in w.area.closed_polygons() {
        area.polygons.push(Polygon::new(
            ring.iter()
                .map(|p| Point {
                    lat: p[1],
                    lon: p[0],
                })
                .collect(),
        ));
    }
    for c in &w.area.circles {
        area.circles.push(Circle {
            center: Point {
                lat: c.lat,
                lon: c.lon,
            },
            radius_km: c.radius_m / 1000.0,
        });
    }
    for g in w.geocodes {
        let code = china::DivisionCode::parse(g).map_err(|e| {
            RuleError::from(FieldError::new("area.divisions", e.to_string()).code("bad_division"))
        })?;
        area.geocodes.push(code.to_geocode());
    }
    base.areas = vec![area];
    let headline = w
        .headline
        .map(str::to_string)
        .unwrap_or_else(|| china::headline_zh(w.sender_name, w.template.event_zh, w.level));
    let zh = InfoText {
        event: w.template.event_zh.into(),
        headline: Some(headline),
        description: Some(w.description.to_string()),
        instruction: Some(w.instruction.to_string()),
        sender_name: None,
        area_descs: vec![w.area_desc.to_string()],
    };
    let en = InfoText {
        event: w.template.event_en.into(),
        headline: Some(format!(
            "{} warning ({}, level {}) by {}",
            w.template.event_en,
            w.level.colour_en(),
            w.level.roman(),
            w.sender
        )),
        description: Some(w.description.to_string()),
        instruction: Some(w.instruction.to_string()),
        sender_name: None,
        area_descs: vec![w.area_desc.to_string()],
    };
    alert.infos = china::bilingual(&base, &zh, &en).to_vec();
    Ok(alert)
}

/// The default instruction of a template at a level.
pub fn default_instruction(t: &Template, level: WarningLevel) -> &'static str {
    t.instructions[level_index(level)]
}

fn point_json(p: [f64; 2]) -> serde_json::Value {
    serde_json::json!({ "type": "Point", "coordinates": p })
}

fn ring_json(r: &[[f64; 2]]) -> serde_json::Value {
    serde_json::json!({ "type": "LineString", "coordinates": r })
}

impl TargetSpec {
    /// Problems of the drawn shapes' geometry, after [`check`](Self::check)
    /// passed: a polygon that crosses itself or has no area, and shapes
    /// outside the issuer's jurisdiction. `inside(lon, lat)` says whether a
    /// point lies in the jurisdiction (`None`: no boundary known, not
    /// checked). A polygon wholly outside names `area.polygons[i]`; one
    /// partly outside names its first outside vertex `area.polygons[i][j]`
    /// (a county's warning does not reach into a neighbour's land); a circle
    /// whose centre is outside names `area.circles[i]`. Each problem carries
    /// what to highlight on the map (`at`: a GeoJSON geometry — the crossing
    /// point and the two edges, the vertex outside the jurisdiction, or the
    /// whole ring).
    pub fn shape_problems(&self, inside: impl Fn(f64, f64) -> Option<bool>) -> Vec<FieldError> {
        let mut out = Vec::new();
        for (i, ring) in self.closed_polygons().iter().enumerate() {
            let field = format!("area.polygons[{i}]");
            let raw: Vec<(f64, f64)> = ring.iter().map(|p| (p[0], p[1])).collect();
            match yingji_geo::validate_rings(&[raw]) {
                Ok(_) => {}
                Err(yingji_geo::GeoError::SelfIntersection {
                    edge_a,
                    edge_b,
                    lon,
                    lat,
                    ..
                }) => {
                    let edge = |k: usize| match (ring.get(k), ring.get(k + 1)) {
                        (Some(a), Some(b)) => vec![*a, *b],
                        _ => vec![],
                    };
                    out.push(
                        FieldError::new(
                            field,
                            format!(
                                "多边形自相交：第 {} 条边与第 {} 条边相交于 ({lon:.5}, {lat:.5})",
                                edge_a + 1,
                                edge_b + 1
                            ),
                        )
                        .code("polygon_self_intersects")
                        .param("edge_a", edge_a + 1)
                        .param("edge_b", edge_b + 1)
                        .param("lon", format!("{lon:.5}"))
                        .param("lat", format!("{lat:.5}"))
                        .at(serde_json::json!({ "type": "GeometryCollection", "geometries": [
                            point_json([lon, lat]),
                            { "type": "MultiLineString", "coordinates": [edge(edge_a), edge(edge_b)] },
                        ] })),
                    );
                    continue;
                }
                Err(e) => {
                    let problem = match e {
                        yingji_geo::GeoError::ZeroArea { .. } => {
                            FieldError::new(field, "多边形面积为零（所有点在一条直线上）")
                                .code("polygon_zero_area")
                        }
                        other => FieldError::new(field, format!("多边形无效：{other}"))
                            .code("bad_polygon")
                            .param("error", other.to_string()),
                    };
                    out.push(problem.at(ring_json(ring)));
                    continue;
                }
            }
            let distinct = &ring[..ring.len().saturating_sub(1)];
            let outside: Vec<usize> = distinct
                .iter()
                .enumerate()
                .filter(|(_, p)| inside(p[0], p[1]) == Some(false))
                .map(|(j, _)| j)
                .collect();
            if !outside.is_empty() && outside.len() == distinct.len() {
                out.push(
                    FieldError::new(field, "多边形不在您的管辖范围内")
                        .code("polygon_outside_jurisdiction")
                        .at(ring_json(ring)),
                );
            } else if let Some(&j) = outside.first() {
                out.push(
                    FieldError::new(
                        format!("area.polygons[{i}][{j}]"),
                        format!(
                            "第 {} 个顶点 ({:.5}, {:.5}) 超出您的管辖范围",
                            j + 1,
                            ring[j][0],
                            ring[j][1]
                        ),
                    )
                    .code("vertex_outside_jurisdiction")
                    .param("vertex", j + 1)
                    .param("lon", format!("{:.5}", ring[j][0]))
                    .param("lat", format!("{:.5}", ring[j][1]))
                    .at(point_json(ring[j])),
                );
            }
        }
        for (i, c) in self.circles.iter().enumerate() {
            if inside(c.lon, c.lat) == Some(false) {
                out.push(
                    FieldError::new(format!("area.circles[{i}]"), "圆心不在您的管辖范围内")
                        .code("circle_outside_jurisdiction")
                        .at(point_json([c.lon, c.lat])),
                );
            }
        }
        out
    }
}

/// The share of the targeted population a warning must reach (the plan's
/// ≥ 90 % coverage of warning information).
pub const TARGET_SHARE: f64 = 0.9;

/// The township a division code is counted under in coverage: its 9-digit
/// code, or the 6-digit county code for a county-level code (`140213`,
/// `140213000000`).
pub fn township_of(code: &str) -> String {
    let digits: String = code.chars().take_while(char::is_ascii_digit).collect();
    match digits.get(6..9) {
        Some(t) if t != "000" => digits[..9].to_string(),
        _ => digits.get(..6).unwrap_or(&digits).to_string(),
    }
}

/// The areas a cell-broadcast message goes to, one message each: every
/// division chosen (as its 12-digit code), every polygon and circle drawn.
pub fn cell_broadcast_areas(spec: &TargetSpec) -> Vec<yingji_channels::CbArea> {
    let mut out: Vec<yingji_channels::CbArea> = spec
        .divisions
        .iter()
        .map(|d| yingji_channels::CbArea::Geocode {
            code: format!("{:0<12}", d.trim()),
        })
        .collect();
    out.extend(
        spec.polygons
            .iter()
            .map(|r| yingji_channels::CbArea::polygon(r)),
    );
    out.extend(
        spec.circles
            .iter()
            .map(|c| yingji_channels::CbArea::circle(c.lon, c.lat, c.radius_m)),
    );
    out
}

/// Deliveries as coverage sees them: `count` deliveries of one channel,
/// division and state (and, for cell broadcast, one area).
#[derive(Debug, Clone, Copy)]
pub struct DeliveryFact<'a> {
    /// sms | email | webhook | broadcast | cell_broadcast
    pub channel: &'a str,
    /// The division the recipient is counted under.
    pub division: &'a str,
    /// pending | delivered | dead
    pub state: &'a str,
    /// How many deliveries this fact stands for.
    pub count: i64,
    /// The area of a cell-broadcast message.
    pub area: Option<&'a yingji_channels::CbArea>,
}

/// Recipients on one channel: planned (targeted) and by outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ChannelCount {
    pub targeted: i64,
    pub delivered: i64,
    pub pending: i64,
    pub dead: i64,
}

impl ChannelCount {
    fn add(&mut self, state: &str, n: i64) {
        self.targeted += n;
        match state {
            "delivered" => self.delivered += n,
            "dead" => self.dead += n,
            _ => self.pending += n,
        }
    }
}

/// The significant prefix of a 12-digit division code (`140213000000` →
/// `140213`, `140200000000` → `1402`, `140213001000` → `140213001`): the
/// divisions a geocode area covers are those whose code starts with it.
fn code_prefix(code: &str) -> &str {
    let code = code.trim();
    [2, 4, 6, 9]
        .into_iter()
        .find(|&l| {
            code.len() == 12 && code.is_char_boundary(l) && code[l..].bytes().all(|b| b == b'0')
        })
        .map_or(code, |l| &code[..l])
}

/// The targeted townships that delivered cell-broadcast messages reach: a
/// township under a delivered geocode area (its county, its own code …);
/// a township under no geocode area was targeted through the drawn shapes,
/// and is reached when every shape's message was delivered (which shape
/// holds it is not recorded, so one undelivered shape reaches none of them).
fn cell_broadcast_reached(
    townships: &[String],
    deliveries: &[DeliveryFact<'_>],
) -> std::collections::BTreeSet<String> {
    let cb = || deliveries.iter().filter(|d| d.channel == "cell_broadcast");
    let geocodes = |delivered_only: bool| -> Vec<&str> {
        cb().filter(|d| !delivered_only || d.state == "delivered")
            .filter_map(|d| match d.area {
                Some(yingji_channels::CbArea::Geocode { code }) => Some(code_prefix(code)),
                _ => None,
            })
            .collect()
    };
    let (all, delivered) = (geocodes(false), geocodes(true));
    let shapes = cb().filter(|d| !matches!(d.area, Some(yingji_channels::CbArea::Geocode { .. })));
    let shapes_done =
        shapes.clone().next().is_some() && shapes.clone().all(|d| d.state == "delivered");
    townships
        .iter()
        .filter(|t| {
            let under = |ps: &[&str]| ps.iter().any(|p| t.starts_with(p));
            under(&delivered) || (shapes_done && !under(&all))
        })
        .cloned()
        .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = WarningDivisionCoverage)]
pub struct DivisionCoverage {
    pub code: String,
    pub name: String,
    pub targeted_population: i64,
    pub reached_population: i64,
    /// reached / targeted (None when nobody is targeted there).
    pub share: Option<f64>,
    pub met: bool,
    pub recipients: BTreeMap<String, ChannelCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = WarningCoverageFigures)]
pub struct Coverage {
    pub target_share: f64,
    pub targeted_population: i64,
    pub reached_population: i64,
    pub share: Option<f64>,
    pub met: bool,
    pub channels: BTreeMap<String, ChannelCount>,
    pub by_division: Vec<DivisionCoverage>,
}

/// The rule for reached population, in words (shown with the figures).
pub const COVERAGE_RULE: &str = "覆盖人口按乡镇计：某乡镇的应急广播（MQTT 区划主题）投递成功，或覆盖该乡镇的小区广播（按区划代码）被广播中心接收，即视为该乡镇范围内的目标人口全部覆盖；按手绘范围发送的小区广播全部被接收时，范围所及、未按区划选择的乡镇视为覆盖；短信、邮件、Webhook 订阅者按接收人（条）统计，不折算人口（其人口已含在居民点人口中，避免重复计算）。覆盖率 ≥ 90% 为达标。";

/// Coverage of a sent warning. `targets`: the townships its area reaches
/// (code, name, targeted population); `deliveries`: its delivery records.
///
/// Rule ([`COVERAGE_RULE`]): a township's targeted population is reached
/// when a broadcast to that township's division topic was delivered (the
/// loudspeakers cover the township), or a cell-broadcast message reached
/// it ([`cell_broadcast_reached`]: every phone in the area's cells gets
/// it); SMS, e-mail and webhook deliveries
/// count as recipients per channel and division, not as population (the
/// subscribers are already inside the census population). A division is
/// met at `reached / targeted ≥ TARGET_SHARE`; nobody targeted is not met.
pub fn coverage(targets: &[(String, String, i64)], deliveries: &[DeliveryFact<'_>]) -> Coverage {
    let mut rows: BTreeMap<String, DivisionCoverage> = BTreeMap::new();
    let blank = |code: &str, name: &str| DivisionCoverage {
        code: code.to_string(),
        name: name.to_string(),
        targeted_population: 0,
        reached_population: 0,
        share: None,
        met: false,
        recipients: BTreeMap::new(),
    };
    for (code, name, pop) in targets {
        let t = township_of(code);
        rows.entry(t.clone())
            .or_insert_with(|| blank(&t, name))
            .targeted_population += pop.max(&0);
    }
    let targeted_townships: Vec<String> = rows.keys().cloned().collect();
    let mut channels: BTreeMap<String, ChannelCount> = BTreeMap::new();
    let mut broadcast_reached = cell_broadcast_reached(&targeted_townships, deliveries);
    for d in deliveries {
        let t = township_of(d.division);
        channels
            .entry(d.channel.to_string())
            .or_default()
            .add(d.state, d.count);
        rows.entry(t.clone())
            .or_insert_with(|| blank(&t, ""))
            .recipients
            .entry(d.channel.to_string())
            .or_default()
            .add(d.state, d.count);
        if d.channel == "broadcast" && d.state == "delivered" && d.count > 0 {
            broadcast_reached.insert(t);
        }
    }
    let share_of =
        |reached: i64, targeted: i64| (targeted > 0).then(|| reached as f64 / targeted as f64);
    let (mut targeted, mut reached) = (0, 0);
    for row in rows.values_mut() {
        if broadcast_reached.contains(&row.code) {
            row.reached_population = row.targeted_population;
        }
        row.share = share_of(row.reached_population, row.targeted_population);
        row.met = row.share.is_some_and(|s| s >= TARGET_SHARE);
        targeted += row.targeted_population;
        reached += row.reached_population;
    }
    let share = share_of(reached, targeted);
    Coverage {
        target_share: TARGET_SHARE,
        targeted_population: targeted,
        reached_population: reached,
        share,
        met: share.is_some_and(|s| s >= TARGET_SHARE),
        channels,
        by_division: rows.into_values().collect(),
    }
}

/// A CAP problem of a message about to be sent, tied to the draft field
/// that causes it (for the form) and its element path (for the record).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CapProblem {
    pub field: String,
    pub cap_path: String,
    pub code: String,
    /// error | warning
    pub level: &'static str,
    pub message: String,
    /// Whether it stops publication: every error, and the warnings that
    /// make a message wrong to send (it expires before it takes effect).
    pub blocking: bool,
}

/// The draft field behind a CAP element path
/// (`alert/info[0]/area[0]/polygon[1]` → `area.polygons[1]`).
pub fn cap_field(path: &str) -> String {
    let last = path.rsplit('/').next().unwrap_or(path);
    let (name, index) = match last.split_once('[') {
        Some((n, rest)) => (n, rest.trim_end_matches(']').parse::<usize>().ok()),
        None => (last, None),
    };
    let indexed = |base: &str| match index {
        Some(i) => format!("{base}[{i}]"),
        None => base.to_string(),
    };
    match name {
        "polygon" => indexed("area.polygons"),
        "circle" => indexed("area.circles"),
        "geocode" => "area.divisions".into(),
        "areaDesc" => "area_desc".into(),
        "area" => "area".into(),
        "headline" => "headline".into(),
        "description" => "description".into(),
        "instruction" => "instruction".into(),
        "expires" => "expires_at".into(),
        "onset" => "onset_at".into(),
        "event" | "category" | "eventCode" => "hazard".into(),
        "severity" | "parameter" => "level".into(),
        _ => "cap".into(),
    }
}

/// Classify the problems of a composed CAP message (validation and the
/// Chinese profile) for the form.
pub fn cap_problems(problems: &[yingji_cap::Problem]) -> Vec<CapProblem> {
    const BLOCKING_WARNINGS: &[&str] = &["expires-before-effective", "expires-before-onset"];
    problems
        .iter()
        .map(|p| {
            let error = p.level == yingji_cap::Level::Error;
            CapProblem {
                field: cap_field(&p.path),
                cap_path: p.path.clone(),
                code: p.code.clone(),
                level: if error { "error" } else { "warning" },
                message: p.message.clone(),
                blocking: error || BLOCKING_WARNINGS.contains(&p.code.as_str()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_force_means_published_not_a_cancellation_and_not_expired() {
        use time::macros::datetime;
        use WarningState as S;
        let now = datetime!(2026-07-01 08:00 UTC);
        let later = datetime!(2026-07-01 20:00 UTC);
        let earlier = datetime!(2026-07-01 07:59 UTC);
        let table = [
            (S::Published, false, later, true),
            (S::Published, true, later, false),
            (S::Published, false, earlier, false),
            (S::Published, false, now, false),
            (S::Draft, false, later, false),
            (S::Submitted, false, later, false),
            (S::Approved, false, later, false),
            (S::Cancelled, false, later, false),
            (S::Superseded, false, later, false),
            (S::Expired, false, later, false),
        ];
        for (state, cancel, expires, want) in table {
            assert_eq!(
                in_force_at(state, cancel, expires, now),
                want,
                "{state:?} cancel={cancel} expires={expires}"
            );
        }
    }

    #[test]
    fn the_steps_offered_follow_the_machine_and_the_role() {
        use WarningState as S;
        // (state, actor, commander, may write, is a Cancel message, offered)
        type Row = (S, &'static str, bool, bool, bool, Vec<&'static str>);
        let table: Vec<Row> = vec![
            (S::Draft, "duty", false, true, false, vec!["edit", "submit"]),
            (S::Draft, "duty", false, false, false, vec![]),
            (S::Submitted, "duty", false, true, false, vec!["reject"]),
            // The author may not approve their own warning, even as a commander.
            (S::Submitted, "author", true, true, false, vec!["reject"]),
            (
                S::Submitted,
                "boss",
                true,
                true,
                false,
                vec!["approve", "reject"],
            ),
            (
                S::Approved,
                "boss",
                true,
                true,
                false,
                vec!["reject", "publish"],
            ),
            (S::Approved, "duty", false, true, false, vec!["reject"]),
            (S::Published, "duty", false, true, false, vec!["revise"]),
            (
                S::Published,
                "boss",
                true,
                true,
                false,
                vec!["revise", "cancel"],
            ),
            (S::Published, "boss", true, true, true, vec![]),
            (S::Cancelled, "boss", true, true, false, vec![]),
        ];
        for (state, actor, commander, may_write, cancel_msg, offered) in table {
            assert_eq!(
                warning_allowed(state, "author", cancel_msg, actor, commander, may_write),
                offered,
                "{state:?} {actor} commander={commander}"
            );
        }
    }

    #[test]
    fn life_cycle_table() {
        use WarningEvent as E;
        use WarningState as S;
        let approve = |who: &str| E::Approve {
            approver: who.into(),
        };
        let reason = |r: &str| E::Cancel { reason: r.into() };
        let reject = |r: &str| E::Reject { reason: r.into() };
        let cases: Vec<(S, E, Option<S>)> = vec![
            (S::Draft, E::Submit, Some(S::Submitted)),
            (S::Submitted, E::Submit, None),
            (S::Submitted, approve("chief"), Some(S::Approved)),
            (S::Submitted, approve("author"), None),
            (S::Submitted, approve(" author "), None),
            (S::Draft, approve("chief"), None),
            (S::Submitted, reject("措辞不准确"), Some(S::Draft)),
            (S::Approved, reject("范围有误"), Some(S::Draft)),
            (S::Submitted, reject(" "), None),
            (S::Published, reject("x"), None),
            (S::Approved, E::Publish, Some(S::Published)),
            (S::Draft, E::Publish, None),
            (S::Submitted, E::Publish, None),
            (S::Published, E::Publish, None),
            (S::Published, E::Supersede, Some(S::Superseded)),
            (S::Approved, E::Supersede, None),
            (S::Published, reason("降雨结束"), Some(S::Cancelled)),
            (S::Published, reason(""), None),
            (S::Draft, reason("x"), None),
            (S::Cancelled, reason("x"), None),
            (S::Published, E::Expire, Some(S::Expired)),
            (S::Expired, E::Expire, None),
            (S::Superseded, E::Publish, None),
        ];
        for (from, ev, want) in cases {
            let got = from.transition(&ev, "author").ok();
            assert_eq!(got, want, "{from:?} {ev:?}");
        }
    }

    #[test]
    fn area_problems_name_their_place() {
        let empty = TargetSpec::default();
        assert_eq!(
            (empty.check()[0].field.as_str(), empty.check()[0].code),
            ("area", "area_required")
        );
        let bad = TargetSpec {
            polygons: vec![
                vec![[113.0, 40.0], [113.1, 40.0], [113.0, 40.0]],
                vec![[113.0, 40.0], [200.0, 40.0], [113.1, 40.1]],
            ],
            circles: vec![CircleSpec {
                lon: 113.0,
                lat: 40.0,
                radius_m: 0.0,
            }],
            divisions: vec![],
        };
        let places: Vec<String> = bad.check().into_iter().map(|p| p.field).collect();
        assert_eq!(
            places,
            [
                "area.polygons[0]",
                "area.polygons[1][1]",
                "area.circles[0].radius_m"
            ]
        );
        let ok = TargetSpec {
            divisions: vec!["140213000000".into()],
            ..Default::default()
        };
        assert!(ok.check().is_empty());
    }

    #[test]
    fn every_template_has_four_instructions_and_levels_parse() {
        for t in TEMPLATES {
            assert!(t.instructions.iter().all(|i| !i.is_empty()), "{}", t.key);
        }
        assert!(template("rainstorm").is_some());
        assert!(template("x").is_none());
        for (s, want) in [
            ("red", WarningLevel::Red),
            ("蓝色", WarningLevel::Blue),
            ("Ⅲ", WarningLevel::Yellow),
        ] {
            assert_eq!(parse_level(s), Ok(want), "{s}");
        }
        assert!(parse_level("purple").is_err());
    }

    #[test]
    fn published_cap_validates_and_round_trips() {
        let sent = time::macros::datetime!(2026-07-01 08:00 +08:00);
        let t = template("rainstorm").unwrap();
        let area = TargetSpec {
            polygons: vec![vec![
                [113.2, 40.0],
                [113.4, 40.0],
                [113.4, 40.2],
                [113.2, 40.2],
            ]],
            circles: vec![CircleSpec {
                lon: 113.3,
                lat: 40.1,
                radius_m: 5000.0,
            }],
            divisions: vec!["140213000000".into()],
        };
        let id = cap_identifier("140200", "418", sent, 1).unwrap();
        let codes = vec!["140213000000".to_string()];
        let input = CapInput {
            identifier: &id,
            sender: "yingji@140200",
            sender_name: "大同市应急管理局",
            sent,
            exercise: false,
            msg_type: MsgType::Alert,
            references: vec![],
            template: t,
            level: WarningLevel::Orange,
            headline: None,
            description: "预计未来6小时平城区降雨量将达50毫米以上。",
            instruction: default_instruction(t, WarningLevel::Orange),
            onset: None,
            expires: sent + time::Duration::hours(12),
            area_desc: "平城区",
            area: &area,
            geocodes: &codes,
            web: None,
        };
        let alert = build_alert(&input).unwrap();
        let xml = yingji_cap::to_xml(&alert);
        let report = yingji_cap::validate(xml.as_bytes());
        assert!(report.is_valid(), "{:?}\n{xml}", report.problems);
        assert!(china::profile_problems(&alert)
            .iter()
            .all(|p| p.level != yingji_cap::Level::Error));
        let back = yingji_cap::parse(xml.as_bytes()).unwrap();
        assert_eq!(back.alert, alert);
        assert!(xml.contains("<severity>Severe</severity>"));
        assert!(
            xml.contains("大同市应急管理局发布暴雨橙色预警信号"),
            "{xml}"
        );
        assert!(xml.contains("<value>140213000000</value>"));
        assert!(id.starts_with("140200418"), "{id}");
    }

    #[test]
    fn shapes_that_cross_themselves_or_leave_the_jurisdiction_are_named() {
        // The jurisdiction: lon 113.0–113.5.
        let inside = |lon: f64, _lat: f64| Some((113.0..=113.5).contains(&lon));
        let spec = |polygons: Vec<Vec<[f64; 2]>>, circles: Vec<CircleSpec>| TargetSpec {
            polygons,
            circles,
            divisions: vec![],
        };
        let square = vec![[113.1, 40.0], [113.2, 40.0], [113.2, 40.1], [113.1, 40.1]];
        let bowtie = vec![[113.1, 40.0], [113.2, 40.1], [113.2, 40.0], [113.1, 40.1]];
        let leaning = vec![[113.4, 40.0], [113.6, 40.0], [113.4, 40.1]];
        let away = vec![[114.0, 40.0], [114.1, 40.0], [114.1, 40.1]];
        let line = vec![[113.1, 40.0], [113.2, 40.0], [113.3, 40.0]];
        let circle = |lon: f64| CircleSpec {
            lon,
            lat: 40.0,
            radius_m: 1000.0,
        };
        let cases: Vec<(TargetSpec, Vec<&str>)> = vec![
            (spec(vec![square.clone()], vec![circle(113.2)]), vec![]),
            (spec(vec![bowtie.clone()], vec![]), vec!["area.polygons[0]"]),
            (
                spec(vec![square.clone(), leaning], vec![]),
                vec!["area.polygons[1][1]"],
            ),
            (spec(vec![away], vec![]), vec!["area.polygons[0]"]),
            (spec(vec![line], vec![]), vec!["area.polygons[0]"]),
            (
                spec(vec![], vec![circle(113.2), circle(112.0)]),
                vec!["area.circles[1]"],
            ),
        ];
        for (s, want) in cases {
            let got: Vec<String> = s
                .shape_problems(inside)
                .into_iter()
                .map(|p| p.field)
                .collect();
            assert_eq!(got, want, "{s:?}");
        }
        // The crossing point and both edges are given for the map.
        let p = &spec(vec![bowtie], vec![]).shape_problems(inside)[0];
        assert!(p.message.contains("自相交"), "{}", p.message);
        assert_eq!(p.code, "polygon_self_intersects");
        let at = p.at.as_deref().unwrap();
        let g = &at["geometries"];
        let pt = g[0]["coordinates"].as_array().unwrap();
        assert!((pt[0].as_f64().unwrap() - 113.15).abs() < 1e-9, "{at}");
        assert!((pt[1].as_f64().unwrap() - 40.05).abs() < 1e-9, "{at}");
        assert_eq!(g[1]["coordinates"].as_array().unwrap().len(), 2);
        // Without a known boundary nothing is refused for place.
        let far = spec(vec![vec![[10.0, 10.0], [10.1, 10.0], [10.1, 10.1]]], vec![]);
        assert!(far.shape_problems(|_, _| None).is_empty());
    }

    #[test]
    fn township_of_codes() {
        for (code, want) in [
            ("140213", "140213"),
            ("140213000000", "140213"),
            ("140213001", "140213001"),
            ("140213001000", "140213001"),
            ("140213001205", "140213001"),
            ("1402", "1402"),
        ] {
            assert_eq!(township_of(code), want, "{code}");
        }
    }

    #[test]
    fn coverage_counts_broadcast_townships_as_reached_population() {
        let targets = vec![
            ("140213001".to_string(), "甲街道".to_string(), 9000),
            ("140213002".to_string(), "乙街道".to_string(), 1000),
            ("140213003".to_string(), "丙镇".to_string(), 500),
        ];
        let f = |channel, division, state| DeliveryFact {
            channel,
            division,
            state,
            count: 1,
            area: None,
        };
        let ds = vec![
            f("broadcast", "140213001000", "delivered"),
            f("broadcast", "140213002000", "dead"),
            f("broadcast", "140213003000", "pending"),
            f("sms", "140213002101", "delivered"),
            f("sms", "140213002", "delivered"),
            f("webhook", "140213", "dead"),
        ];
        let c = coverage(&targets, &ds);
        assert_eq!(c.targeted_population, 10_500);
        assert_eq!(c.reached_population, 9000);
        assert!(!c.met, "9000 / 10500 < 90 %");
        assert_eq!(
            c.channels["broadcast"],
            ChannelCount {
                targeted: 3,
                delivered: 1,
                pending: 1,
                dead: 1
            }
        );
        assert_eq!(c.channels["sms"].delivered, 2);
        let row = |code: &str| c.by_division.iter().find(|r| r.code == code).unwrap();
        assert!(row("140213001").met);
        assert_eq!(row("140213001").share, Some(1.0));
        assert_eq!(
            row("140213002").reached_population,
            0,
            "SMS is not population"
        );
        assert_eq!(row("140213002").recipients["sms"].delivered, 2);
        assert_eq!(row("140213").targeted_population, 0);
        assert_eq!(row("140213").share, None);
        assert!(!row("140213").met);
        // The second township's loudspeakers deliver: 10 000 / 10 500 ≥ 90 %.
        let mut ds2 = ds.clone();
        ds2[1].state = "delivered";
        let c2 = coverage(&targets, &ds2);
        assert_eq!(c2.reached_population, 10_000);
        assert!(c2.met);
        assert_eq!(c2.target_share, 0.9);
        // Exactly 90 % is met; nothing targeted is not.
        let exact = coverage(
            &[
                ("140213001".into(), "a".into(), 90),
                ("140213002".into(), "b".into(), 10),
            ],
            &[f("broadcast", "140213001", "delivered")],
        );
        assert!(exact.met);
        assert!(!coverage(&[], &[]).met);
    }

    #[test]
    fn coverage_counts_cell_broadcast_areas() {
        use yingji_channels::CbArea;
        let targets = vec![
            ("140213001".to_string(), "甲街道".to_string(), 6000),
            ("140213002".to_string(), "乙街道".to_string(), 3000),
            ("140212101".to_string(), "丙镇".to_string(), 1000),
        ];
        let county = CbArea::Geocode {
            code: "140213000000".into(),
        };
        let township = CbArea::Geocode {
            code: "140212101000".into(),
        };
        let shape = CbArea::polygon(&[[113.0, 40.0], [113.1, 40.0], [113.1, 40.1], [113.0, 40.0]]);
        let cb = |area, state| DeliveryFact {
            channel: "cell_broadcast",
            division: "140213",
            state,
            count: 1,
            area: Some(area),
        };
        // (deliveries, reached population): the county's message reaches
        // its two townships, the township's message its own; the shape's
        // message reaches only townships under no chosen division, and only
        // once every shape was delivered.
        for (ds, want) in [
            (vec![cb(&county, "delivered")], 9000),
            (vec![cb(&county, "pending")], 0),
            (vec![cb(&county, "dead"), cb(&township, "delivered")], 1000),
            (
                vec![cb(&county, "delivered"), cb(&township, "delivered")],
                10_000,
            ),
            (
                vec![cb(&county, "delivered"), cb(&shape, "delivered")],
                10_000,
            ),
            (vec![cb(&county, "pending"), cb(&shape, "delivered")], 1000),
            (
                vec![
                    cb(&county, "delivered"),
                    cb(&shape, "delivered"),
                    cb(&shape, "dead"),
                ],
                9000,
            ),
            (vec![cb(&shape, "delivered")], 10_000),
        ] {
            let c = coverage(&targets, &ds);
            assert_eq!(c.reached_population, want, "{ds:?}");
            assert_eq!(c.channels["cell_broadcast"].targeted, ds.len() as i64);
        }
        // Counted facts add up.
        let many = [DeliveryFact {
            channel: "sms",
            division: "140213001",
            state: "delivered",
            count: 250_000,
            area: None,
        }];
        assert_eq!(coverage(&targets, &many).channels["sms"].delivered, 250_000);
        for (code, want) in [
            ("140213000000", "140213"),
            ("140200000000", "1402"),
            ("140213001000", "140213001"),
            ("140213001205", "140213001205"),
            ("140000000000", "14"),
        ] {
            assert_eq!(code_prefix(code), want);
        }
    }

    #[test]
    fn cap_problems_point_at_draft_fields() {
        for (path, want) in [
            ("alert/info[0]/area[0]/polygon[1]", "area.polygons[1]"),
            ("alert/info[1]/area[0]/circle[0]", "area.circles[0]"),
            ("alert/info[0]/area[0]/geocode[2]", "area.divisions"),
            ("alert/info[0]/area[0]/areaDesc", "area_desc"),
            ("alert/info[0]/expires", "expires_at"),
            ("alert/info[0]/onset", "onset_at"),
            ("alert/info[0]/headline", "headline"),
            ("alert/info[0]/severity", "level"),
            ("alert/identifier", "cap"),
        ] {
            assert_eq!(cap_field(path), want, "{path}");
        }
        let ps = cap_problems(&[
            yingji_cap::Problem::warning(
                "alert/info[0]/expires",
                "expires-before-effective",
                "late",
            ),
            yingji_cap::Problem::warning("alert/info[0]/area[0]", "cn-no-geocode", "none"),
            yingji_cap::Problem::error("alert/info[0]/area[0]/polygon[0]", "x", "bad"),
        ]);
        let got: Vec<(&str, bool)> = ps.iter().map(|p| (p.field.as_str(), p.blocking)).collect();
        assert_eq!(
            got,
            [
                ("expires_at", true),
                ("area", false),
                ("area.polygons[0]", true)
            ]
        );
    }
}
