// The web UI's API types, named from the generated ./schema.d.ts (`make api`
// regenerates it from the server's OpenAPI document). Only names live here:
// every shape comes from the server.
import type { components, operations } from './schema'

type S = components['schemas']

export type Division = S['Division']
export type Me = S['Me']
export type UserView = S['UserView']
export type TokenInfo = S['TokenInfo']
export type NewToken = S['NewToken']
export type FieldOption = S['Opt']
export type Field = S['FieldSchema']
export type Schema = S['Schema']
export type Item = S['Item']
export type Page = S['Page']
/** A problem as the UI shows it: a server `FieldError` (its `at` a GeoJSON
 * geometry), or one the client makes up without a field. */
export type ProblemError = Omit<S['FieldError'], 'at' | 'field' | 'code'> & {
  field?: string
  /** Absent on problems the UI makes itself from a message. */
  code?: string
  at?: GeoJSON.Geometry | null
}
/** Problem JSON as received, or made up by the client (network failure). */
export type Problem = Partial<Omit<S['Problem'], 'errors'>> & { errors?: ProblemError[] }
export type JournalEntry = S['Entry']
export type Person = S['PersonView']
export type RoadsLayer = S['RoadsLayer']
/** `GET /places`: a division or a located registry record found by name. */
export type Place = S['Place']
/** `GET /incidents/duplicates`: an open incident the call may be about. */
export type PossibleDuplicate = S['PossibleDuplicate']
export type CallBody = S['CallBody']
export type MapConfig = S['MapConfig']
/** `GET /registries/{kind}/layer`. */
export type RegistryLayer = S['RegistryLayer']
export type PointFeature = S['RegistryPoint']

export type Disaster = S['Disaster']
export type DisasterSummary = S['DisasterSummary']
export type DisasterDetail = S['DisasterDetail']
export type Figures = S['Figures']
export type FigureKey = keyof Figures
export type CasualtyRow = S['CasualtyRow']
export type HouseRow = S['HouseRow']
export type Report = S['Report']
export type StepStatus = S['StepStatus']
export type Aggregate = S['Aggregate']
export type NewDisaster = S['NewDisasterBody']
export type ReportBody = S['ReportBody']
export type OverdueItem = S['Overdue']
export type Accident = S['Accident']
export type AccidentDetail = S['AccidentDetail']
export type InvestigationView = S['InvestigationView']
export type InvestigationEventBody = S['InvestigationEventBody']
export type NotifyBody = S['NotifyBody']
export type DutyReportBody = S['DutyReportBody']
export type OpenInvestigationBody = S['OpenInvestigationBody']
export type NewAccident = S['AccidentBody']

export type Verdict = S['Verdict']
export type IndicatorSources = S['Sources']
export type IndicatorSeries = S['Series']
export type IndicatorDashboard = S['Dashboard']
export type StatRow = S['StatRow']

export type AttachmentMeta = S['Meta']

export type Attention = S['Attention']

export type TravelMethod = S['Method']
export type Estimate = S['Estimate']
export type NearestItem = S['Candidate']
export type NearestResult = S['NearestResult']
export type NearestQuery = NonNullable<operations['nearest']['parameters']['query']>
export type CoverageSettlement = S['CoveredSettlement']
export type CoverageResult = S['CoverageResult']
export type CoverageQuery = NonNullable<operations['dispatch_coverage']['parameters']['query']>

export type WarningStateKey = S['WarningState']
export type WarningTemplate = S['Template']
export type CircleSpec = S['CircleSpec']
export type AreaSpec = S['TargetSpec']
/** Warning.level: the four colours. */
export type WarningColour = S['WarningColour']
/** POST /warnings, PUT /warnings/{id}; the form keeps one of the four
 * colours (the server also reads 蓝/黄/橙/红 and Ⅳ–Ⅰ). */
export type WarningDraft = Omit<S['DraftBody'], 'level'> & { level: WarningColour }
export type Reach = S['Reach']
export type ReachVillage = S['ReachVillage']
/** A warning; its `reach` is stored as JSON: what targeting computed when
 * the area was last saved (`{}` before). */
export type WarningRecord = Omit<S['WarningView'], 'reach'> & { reach: Partial<Reach> }
export type CapProblem = S['CapProblem']
export type CapPreview = S['CapPreview']
export type DeliveryRecord = S['Delivery']
export type ChannelCount = S['ChannelCount']
export type DivisionCoverage = S['WarningDivisionCoverage']
export type WarningCoverage = S['WarningCoverage']

export type UpstreamAlertView = S['UpstreamAlertView']
export type UpstreamAlertDetail = S['UpstreamAlertDetail']
/** What `UpstreamAlert.summary` holds (`{}` when the message was unreadable). */
export type UpstreamSummary = S['UpstreamSummary']
export type UpstreamSource = S['SourceView']

export type IncidentTypeNode = S['IncidentType']
export type ResponseLevel = S['ResponseLevel']
export type PlanType = S['PlanType']
export type ReviewStatus = S['ReviewStatus']
export type DrillStatus = S['DrillStatus']
export type PlanMatch = S['PlanMatch']
export type IncidentFacts = S['Facts']
export type FactKey = keyof IncidentFacts
export type IncidentStateValue = S['IncidentState']['state']
export type ClockStatusValue = S['ClockStatus']
export type RescueClock = S['RescueClockView']
export type IncidentSummary = S['IncidentSummary']
export type ProposedGrade = S['ProposedGrade']
export type InstructionStateValue = S['InstructionState']
/** One feedback on an instruction. */
export type InstructionFeedback = S['InstructionFeedback']
/** An instruction with what the reader may do to it now. */
export type Instruction = S['InstructionView']
export type DispatchStateValue = S['DispatchState']
/** One step of a dispatch order after the request. */
export type DispatchStep = S['DispatchStep']
/** A dispatch order with what the reader may do to it now. */
export type DispatchOrder = S['OrderView']
export type IncidentDetail = S['IncidentDetail']

export type PlanCriterion = S['Criterion']
export type PlanTask = S['TaskTemplate']
export type PlanLevel = S['PlanLevel']
/** PUT /plans/{code}/versions/{n} (with the version read and a label). */
export type PlanContent = S['ContentBody']
export type PlanVersionStatus = S['VersionState']
export type PlanSummary = S['PlanSummary']
export type PlanVersion = S['PlanVersionView']
export type PlanVersionRow = S['PlanVersionRow']
export type PlanEvaluation = S['Evaluation']
export type PlanDetail = S['PlanDetail']
export type Department = S['Department']
export type Command = S['PlanCommand']
export type RevisionTrigger = S['RevisionTrigger']
export type DrillKind = S['DrillKind']
export type DrillState = S['DrillState']
export type StoredDrill = S['DrillView']
export type ImprovementState = S['ImprovementState']
export type Improvement = S['ImprovementView']

export type NewIncident = S['NewIncident']
export type NewInstruction = S['NewInstruction']
export type ItemInput = S['ItemInput']
export type DrillBody = S['DrillBody']
export type DrillEventBody = S['DrillEventBody']
export type ItemEventBody = S['ItemEventBody']
export type DutyPerson = S['Person']
export type DutyUser = S['DutyUser']
export type OpenItem = S['OpenItem']
export type ShiftStateValue = S['ShiftState']
export type Shift = S['ShiftView']
export type OnDutyNow = S['OnDutyNow']
export type DutyLogKind = S['LogKind']
export type DutyLogEntry = S['LogEntryView']
export type ShiftBody = S['ShiftBody']
export type ShiftEventBody = S['ShiftEventBody']
/** A step of an incident's life cycle (a command tagged by `kind`). */
export type IncidentCommand = S['IncidentCommand']
export type IncidentEventBody = S['IncidentEventBody']
/** A step of an instruction (`{kind: receive|start|feedback|accept|return, …}`). */
export type InstructionEventBody = S['InstructionEvent']
export type DispatchEventKind = S['OrderCommand']['kind']
export type WarningEventBody = S['WarningEventBody']
export type NewDutyLogEntry = S['NewLogEntry']

// 监督管理: risk points in four colours and the hidden-hazard loop
export type RiskLevel = S['RiskLevel']
export type RiskPoint = S['RiskPointView']
export type RiskPointBody = S['RiskPointBody']
export type EnterpriseRisk = S['EnterpriseRisk']
export type RiskMap = S['RiskMap']
export type RiskMapPoint = S['RiskMapPoint']
export type HazardState = S['HazardState']
export type HazardGrade = S['HazardGrade']
export type HazardSource = S['HazardSource']
export type Hazard = S['HazardView']
export type HazardDetail = S['HazardDetail']
export type HazardPage = S['HazardPage']
export type HazardStep = S['HazardStep']
export type NewHazard = S['NewHazard']
/** A step of the hazard loop (a command tagged by `kind`). */
export type HazardCommand = S['HazardCommand']
export type HazardEventBody = S['HazardEventBody']
// 重大危险源 (GB 18218-2018), 双随机 inspections, statistics
export type MajorCatalogue = S['MajorCatalogue']
export type MajorUnit = S['UnitView']
export type MajorUnitBody = S['UnitBody']
export type MajorWorksheet = S['Worksheet']
export type MajorWorksheetBody = S['WorksheetBody']
export type MajorGrade = S['MajorGrade']
export type Holding = S['Holding']
export type UnitKind = S['UnitKind']
export type InspectionPool = S['InspectionPool']
export type InspectionDrawRecord = S['InspectionDraw']
export type InspectionDrawView = S['DrawView']
export type InspectionDrawBody = S['DrawBody']
export type InspectionView = S['InspectionView']
export type InspectionDetail = S['InspectionDetail']
export type InspectionEventBody = S['InspectionEventBody']
export type InspectionState = S['InspectionState']
export type Finding = S['Finding']
export type NewFinding = S['NewFinding']
// 检查表
export type CheckTemplate = S['CheckTemplate']
export type TemplateBody = S['TemplateBody']
export type ChecksBody = S['ChecksBody']
export type CheckResult = S['CheckResult']
export type SupervisionStats = S['StatsTable']
export type SupervisionStatsRow = S['StatsRow']

/** Shift.period. */
export type ShiftPeriod = S['Period']
