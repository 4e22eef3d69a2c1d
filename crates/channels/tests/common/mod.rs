//! Shared test fixtures.
#![allow(dead_code)]

use yingji_cap::Alert;
use yingji_channels::{Message, MessageOptions};

/// A Chinese alert with `&` and `<` in its texts (escaping checks).
pub const ALERT_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>11010241600000_20240729153126_0</identifier>
  <sender>bjmb@cma.gov.cn</sender>
  <sent>2024-07-29T15:31:26+08:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>暴雨</event>
    <urgency>Expected</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <expires>2024-07-30T15:31:26+08:00</expires>
    <senderName>北京市气象台</senderName>
    <headline>北京市气象台发布暴雨橙色预警信号</headline>
    <description>预计29日20时至30日08时，本市大部分地区将出现大暴雨，局地特大暴雨 &amp; 雷电，小时雨强可达70毫米以上 &lt;请注意&gt;。山区发生山洪、泥石流、滑坡等地质灾害的风险极高，低洼地区可能出现积水，请注意防范。</description>
    <instruction>停止户外作业。</instruction>
    <area><areaDesc>西城区</areaDesc><geocode><valueName>GB/T 2260</valueName><value>110102000000</value></geocode></area>
    <area><areaDesc>东城区</areaDesc></area>
  </info>
</alert>"#;

pub fn alert() -> Alert {
    match yingji_cap::parse(ALERT_XML.as_bytes()) {
        Ok(doc) => doc.alert,
        Err(e) => panic!("fixture does not parse: {e}"),
    }
}

/// The fixture as a message, with a unique identifier (tests that share a
/// broker must not see each other's messages).
pub fn message(tag: &str) -> Message {
    let mut a = alert();
    a.identifier = format!("{}_{tag}", a.identifier);
    Message::from_alert(&a, &MessageOptions::default()).with_cap_url(format!(
        "https://alerts.example.cn/cap/{}.xml",
        a.identifier
    ))
}
