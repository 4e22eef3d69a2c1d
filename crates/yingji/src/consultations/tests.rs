//! The rules of a session as tables: the state machine, each step's
//! fields, invitations, attendance, closing and decisions to instructions.

use super::*;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-12-07 01:00 UTC);

fn session(state: ConsultState) -> Consultation {
    let mut c = schedule(
        "140213".into(),
        (Some(7), None),
        Head {
            title: "会商".into(),
            place: "指挥中心".into(),
            chair: "王".into(),
            scheduled_at: NOW,
        },
        vec!["通报".into()],
        "u",
        NOW,
    );
    c.id = 1;
    c.state = state;
    c
}

fn invitee(id: i64, record_id: i64, a: Attendance) -> Invitee {
    Invitee {
        id,
        consultation_id: 1,
        kind: "contact".into(),
        record_id,
        name: format!("联系人{record_id}"),
        organisation: String::new(),
        position: String::new(),
        division: "140213".into(),
        attendance: a,
        marked_at: None,
        marked_by: String::new(),
    }
}

fn resolved(record_id: i64) -> NewInvitee {
    NewInvitee {
        kind: "contact".into(),
        record_id,
        name: format!("联系人{record_id}"),
        organisation: String::new(),
        position: String::new(),
        division: "140213".into(),
    }
}

fn decision(addressed: bool, instruction: Option<i64>) -> Decision {
    Decision {
        id: 9,
        consultation_id: 1,
        seq: 1,
        text: "调派救护队".into(),
        assignee_kind: if addressed {
            "department".into()
        } else {
            String::new()
        },
        assignee: if addressed {
            "市消防救援支队".into()
        } else {
            String::new()
        },
        due_minutes: addressed.then_some(30),
        instruction_id: instruction,
        created_by: "u".into(),
        created_at: UtcText(NOW),
    }
}

/// The outcome as a code: `ok`, the refusal's code, or the fields' codes.
fn outcome<T>(r: Result<T, ConsultError>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(ConsultError::Rule(RuleError::State(r) | RuleError::Forbidden(r))) => r.code.into(),
        Err(ConsultError::Rule(RuleError::Field(f))) => format!("{}:{}", f.field, f.code),
        Err(ConsultError::Fields(fs)) => fs
            .iter()
            .map(|f| format!("{}:{}", f.field, f.code))
            .collect::<Vec<_>>()
            .join(","),
    }
}

#[test]
fn the_state_machine_allows_each_step_only_in_its_states() {
    use ConsultState as S;
    // (state, the steps allowed)
    let table: [(S, &[&str]); 4] = [
        (
            S::Scheduled,
            &[
                "start", "cancel", "edit", "invite", "uninvite", "attend", "agenda",
            ],
        ),
        (
            S::InSession,
            &[
                "close", "edit", "invite", "uninvite", "attend", "agenda", "minutes", "decide",
                "instruct",
            ],
        ),
        (S::Closed, &["instruct"]),
        (S::Cancelled, &[]),
    ];
    for (state, want) in table {
        assert_eq!(allowed_events(&session(state)), want.to_vec(), "{state:?}");
        for step in Step::ALL {
            assert_eq!(
                step_allowed(state, step).is_ok(),
                want.contains(&step.as_str()),
                "{state:?} {step:?}"
            );
        }
    }
    // A warning's session has no instructions to give.
    let mut w = session(S::InSession);
    w.incident_id = None;
    w.warning_id = Some(3);
    assert!(!allowed_events(&w).contains(&"instruct"));
}

#[test]
fn steps_change_the_session_or_say_why_not() {
    use ConsultState as S;
    let invited = [
        invitee(1, 100, Attendance::Invited),
        invitee(2, 101, Attendance::Present),
    ];
    let new = [resolved(102), resolved(100), resolved(102)];
    let cmd = |v: Value| -> ConsultCommand { serde_json::from_value(v).unwrap() };
    // (state, minutes written, command, resolved records, outcome)
    let table: Vec<(S, bool, Value, &[NewInvitee], &str)> = vec![
        (S::Scheduled, false, json!({"kind": "start"}), &[], "ok"),
        (
            S::InSession,
            false,
            json!({"kind": "start"}),
            &[],
            "consultation_step_not_allowed",
        ),
        (
            S::InSession,
            false,
            json!({"kind": "close"}),
            &[],
            "minutes_required",
        ),
        (S::InSession, true, json!({"kind": "close"}), &[], "ok"),
        (
            S::Scheduled,
            false,
            json!({"kind": "close"}),
            &[],
            "consultation_step_not_allowed",
        ),
        (
            S::Scheduled,
            false,
            json!({"kind": "cancel", "reason": " "}),
            &[],
            "reason:required",
        ),
        (
            S::Scheduled,
            false,
            json!({"kind": "cancel", "reason": "改期"}),
            &[],
            "ok",
        ),
        (
            S::InSession,
            false,
            json!({"kind": "cancel", "reason": "改期"}),
            &[],
            "consultation_step_not_allowed",
        ),
        (
            S::Closed,
            false,
            json!({"kind": "minutes", "text": "x"}),
            &[],
            "consultation_step_not_allowed",
        ),
        (
            S::Scheduled,
            false,
            json!({"kind": "minutes", "text": "x"}),
            &[],
            "consultation_step_not_allowed",
        ),
        (
            S::InSession,
            false,
            json!({"kind": "minutes", "text": "x".repeat(MAX_MINUTES + 1)}),
            &[],
            "text:too_long",
        ),
        (
            S::InSession,
            false,
            json!({"kind": "minutes", "text": "一、研判"}),
            &[],
            "ok",
        ),
        (
            S::Scheduled,
            false,
            json!({"kind": "edit", "title": "", "scheduled_at": "明天"}),
            &[],
            "title:required,scheduled_at:not_a_time",
        ),
        (
            S::Scheduled,
            false,
            json!({"kind": "edit", "title": "新", "scheduled_at": "2026-12-08T09:00:00+08:00"}),
            &[],
            "ok",
        ),
        (
            S::Scheduled,
            false,
            json!({"kind": "agenda", "items": ["一", " "]}),
            &[],
            "agenda[1]:required",
        ),
        (
            S::Scheduled,
            false,
            json!({"kind": "agenda", "items": ["一", "二"]}),
            &[],
            "ok",
        ),
        (
            S::Scheduled,
            false,
            json!({"kind": "invite", "invitees": []}),
            &[],
            "invitees:required",
        ),
        (
            S::Scheduled,
            false,
            json!({"kind": "invite", "invitees": [{"kind": "contact", "id": 102}]}),
            &new[..1],
            "ok",
        ),
        (
            S::Scheduled,
            false,
            json!({"kind": "invite", "invitees": [{"kind": "contact", "id": 102}]}),
            &new,
            "invitees[1]:already_invited,invitees[2]:duplicate_row",
        ),
        (
            S::Closed,
            false,
            json!({"kind": "invite", "invitees": [{"kind": "contact", "id": 102}]}),
            &new[..1],
            "consultation_step_not_allowed",
        ),
        (
            S::Scheduled,
            false,
            json!({"kind": "uninvite", "invitee_id": 1}),
            &[],
            "ok",
        ),
        (
            S::Scheduled,
            false,
            json!({"kind": "uninvite", "invitee_id": 2}),
            &[],
            "invitee_already_marked",
        ),
        (
            S::Scheduled,
            false,
            json!({"kind": "uninvite", "invitee_id": 5}),
            &[],
            "invitee_id:invitee_not_found",
        ),
        (
            S::Scheduled,
            false,
            json!({"kind": "attend", "invitee_id": 1, "attendance": "excused"}),
            &[],
            "ok",
        ),
        (
            S::Scheduled,
            false,
            json!({"kind": "attend", "invitee_id": 1, "attendance": "present"}),
            &[],
            "not_in_session",
        ),
        (
            S::InSession,
            false,
            json!({"kind": "attend", "invitee_id": 1, "attendance": "present"}),
            &[],
            "ok",
        ),
        (
            S::InSession,
            false,
            json!({"kind": "attend", "invitee_id": 1, "attendance": "absent"}),
            &[],
            "ok",
        ),
        (
            S::Closed,
            false,
            json!({"kind": "attend", "invitee_id": 1, "attendance": "present"}),
            &[],
            "consultation_step_not_allowed",
        ),
        (
            S::InSession,
            false,
            json!({"kind": "decide", "text": ""}),
            &[],
            "text:required",
        ),
        (
            S::InSession,
            false,
            json!({"kind": "decide", "text": "请示市政府"}),
            &[],
            "ok",
        ),
        (
            S::InSession,
            false,
            json!({"kind": "decide", "text": "调派", "assignee_kind": "army", "assignee": "x"}),
            &[],
            "assignee_kind:not_an_option",
        ),
        (
            S::InSession,
            false,
            json!({"kind": "decide", "text": "调派", "assignee_kind": "department"}),
            &[],
            "assignee:required",
        ),
        (
            S::InSession,
            false,
            json!({"kind": "decide", "text": "调派", "assignee_kind": "department", "assignee": "消防", "due_minutes": 0}),
            &[],
            "due_minutes:out_of_range",
        ),
        (
            S::InSession,
            false,
            json!({"kind": "decide", "text": "调派", "assignee_kind": "department", "assignee": "消防"}),
            &[],
            "ok",
        ),
        (
            S::Scheduled,
            false,
            json!({"kind": "decide", "text": "调派"}),
            &[],
            "consultation_step_not_allowed",
        ),
        (
            S::Cancelled,
            false,
            json!({"kind": "edit", "title": "新", "scheduled_at": "2026-12-08T09:00:00+08:00"}),
            &[],
            "consultation_step_not_allowed",
        ),
    ];
    for (state, minutes, c, res, want) in table {
        let mut s = session(state);
        if minutes {
            s.minutes = "纪要".into();
        }
        let got = outcome(apply(
            s,
            &cmd(c.clone()),
            Ctx {
                invitees: &invited,
                decisions: &[],
                resolved: res,
            },
            NOW,
        ));
        assert_eq!(got, want, "{state:?} {c}");
    }
}

#[test]
fn closing_marks_the_unmarked_absent_and_times_the_session() {
    let invited = [
        invitee(1, 100, Attendance::Invited),
        invitee(2, 101, Attendance::Present),
        invitee(3, 102, Attendance::Excused),
    ];
    let mut s = session(ConsultState::InSession);
    s.minutes = "纪要".into();
    let later = NOW + time::Duration::hours(2);
    let done = apply(
        s,
        &ConsultCommand::Close {},
        Ctx {
            invitees: &invited,
            decisions: &[],
            resolved: &[],
        },
        later,
    )
    .unwrap();
    assert_eq!(done.consultation.state, ConsultState::Closed);
    assert_eq!(done.consultation.closed_at, Some(UtcText(later)));
    assert_eq!(done.effect, Effect::Attend(vec![(1, Attendance::Absent)]));
    assert_eq!(done.payload, json!({ "marked_absent": [1] }));
}

#[test]
fn decisions_are_numbered_and_addressed_ones_default_to_an_hour() {
    let earlier = [decision(false, None)];
    let done = apply(
        session(ConsultState::InSession),
        &ConsultCommand::Decide {
            text: " 调派矿山救护队 ".into(),
            assignee_kind: "department".into(),
            assignee: " 市消防救援支队 ".into(),
            due_minutes: None,
        },
        Ctx {
            invitees: &[],
            decisions: &earlier,
            resolved: &[],
        },
        NOW,
    )
    .unwrap();
    assert_eq!(
        done.effect,
        Effect::Decide(NewDecision {
            seq: 2,
            text: "调派矿山救护队".into(),
            assignee_kind: "department".into(),
            assignee: "市消防救援支队".into(),
            due_minutes: Some(DEFAULT_DUE_MINUTES),
        })
    );
}

#[test]
fn a_decision_becomes_an_instruction_once_and_only_when_addressed() {
    use ConsultState as S;
    let mut warning = session(S::InSession);
    warning.incident_id = None;
    warning.warning_id = Some(3);
    // (session, decision, outcome)
    let table = [
        (session(S::InSession), decision(true, None), "ok"),
        (session(S::Closed), decision(true, None), "ok"),
        (
            session(S::Scheduled),
            decision(true, None),
            "consultation_step_not_allowed",
        ),
        (
            session(S::Cancelled),
            decision(true, None),
            "consultation_step_not_allowed",
        ),
        (
            session(S::InSession),
            decision(true, Some(4)),
            "decision_already_instructed",
        ),
        (
            session(S::InSession),
            decision(false, None),
            "decision_not_addressed",
        ),
        (
            warning,
            decision(true, None),
            "consultation_without_incident",
        ),
    ];
    for (s, d, want) in table {
        let state = s.state;
        let got = outcome(instruct(s, &d, NOW).map_err(ConsultError::Rule));
        assert_eq!(got, want, "{state:?} {d:?}");
    }
    let (c, x) = instruct(session(S::InSession), &decision(true, None), NOW).unwrap();
    assert_eq!(c.updated_at, UtcText(NOW));
    assert_eq!(
        (
            x.assignee_kind.as_str(),
            x.assignee.as_str(),
            x.task.as_str(),
            x.due_minutes
        ),
        ("department", "市消防救援支队", "调派救护队", 30)
    );
}

#[test]
fn a_new_session_needs_a_title_and_a_time() {
    let (place, chair) = ("地".repeat(201), "王".repeat(101));
    // (title, place, chair, time, outcome)
    let table = [
        ("会商", "", "", "2026-12-07T09:00:00+08:00", "ok"),
        (" ", "", "", "2026-12-07T09:00:00+08:00", "title:required"),
        (
            "会商",
            place.as_str(),
            "",
            "2026-12-07T09:00:00+08:00",
            "place:too_long",
        ),
        (
            "会商",
            "",
            chair.as_str(),
            "x",
            "chair:too_long,scheduled_at:not_a_time",
        ),
    ];
    for (t, p, c, at, want) in table {
        let got = outcome(check_head(t, p, c, at).map_err(ConsultError::Fields));
        assert_eq!(got, want, "{t:?} {at:?}");
    }
    let too_many: Vec<String> = (0..=MAX_AGENDA).map(|n| n.to_string()).collect();
    assert_eq!(
        outcome(check_agenda(&too_many).map_err(ConsultError::Fields)),
        "agenda:too_many"
    );
}

#[test]
fn attendance_is_marked_present_or_absent_only_once_the_session_has_started() {
    use Attendance as A;
    use ConsultState as S;
    let table = [
        (S::Scheduled, vec![A::Invited, A::Excused]),
        (S::InSession, A::ALL.to_vec()),
        (S::Closed, A::ALL.to_vec()),
        (S::Cancelled, A::ALL.to_vec()),
    ];
    for (state, want) in table {
        assert_eq!(attendance_allowed(state), want, "{state:?}");
    }
}
