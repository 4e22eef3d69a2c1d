//! The platform's integration tests, in one test binary (one link instead
//! of one per file): each module tests one capability over HTTP or the CLI,
//! on SQLite and, when `YINGJI_TEST_DATABASE_URL` is set, on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod accident_chain;
mod anchors;
mod attention;
mod auth;
mod centre;
mod cli;
mod consultations;
mod delivery;
mod demo;
mod directory;
mod dispatch;
mod dissemination;
mod duty;
mod erasure;
mod exports;
mod feed;
mod hardening;
mod hazard_sources;
mod import;
mod incidents;
mod indicators;
mod intake;
mod matrix;
mod monitoring;
mod nodes;
mod openapi;
mod people;
mod plans;
mod rbac;
mod registry;
mod reports;
mod routing;
mod schema;
mod sheets;
mod shelters;
mod supervision;
mod supervision_more;
mod supplies;
mod supply_card;
mod supply_distributions;
mod supply_requests;
mod supply_shipments;
mod supply_stocktake;
mod upstream;
mod warnings;
