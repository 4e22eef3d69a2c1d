import { createRouter, createWebHistory } from 'vue-router'
import { state, loadMe } from './store'
import { setUnauthorizedHandler } from './api'

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: () => import('./features/auth/LoginView.vue'), meta: { public: true } },
    // Phone-friendly pages (no side menu): the township reporter's list and report form.
    { path: '/reporter', name: 'reporter', component: () => import('./features/reports/ReporterHomeView.vue') },
    // 大屏: the wall display; a display token or a session (features/screen).
    { path: '/screen', name: 'screen', component: () => import('./features/screen/ScreenView.vue'), meta: { public: true, screen: true } },
    { path: '/report/:disasterId', name: 'report', component: () => import('./features/reports/ReportPhoneView.vue'), props: true },
    {
      path: '/',
      component: () => import('./layout/AppLayout.vue'),
      children: [
        { path: '', name: 'home', component: () => import('./features/home/HomeView.vue') },
        { path: 'registry/:kind', name: 'registry', component: () => import('./features/registry/RegistryView.vue'), props: true },
        { path: 'directory', name: 'directory', component: () => import('./features/directory/DirectoryView.vue') },
        { path: 'map', name: 'map', component: () => import('./features/map/MapView.vue') },
        { path: 'coverage', name: 'coverage', component: () => import('./features/dispatch/CoverageView.vue') },
        { path: 'journal', name: 'journal', component: () => import('./features/journal/JournalView.vue') },
        { path: 'users', name: 'users', component: () => import('./features/auth/UsersView.vue'), meta: { admin: true } },
        { path: 'disasters', name: 'disasters', component: () => import('./features/reports/DisasterListView.vue') },
        { path: 'disasters/:id', name: 'disaster', component: () => import('./features/reports/DisasterDetailView.vue'), props: true },
        { path: 'accidents', name: 'accidents', component: () => import('./features/reports/AccidentListView.vue') },
        { path: 'accidents/:id', name: 'accident', component: () => import('./features/reports/AccidentDetailView.vue'), props: true },
        { path: 'overdue', name: 'overdue', component: () => import('./features/reports/OverdueView.vue') },
        { path: 'indicators', name: 'indicators', component: () => import('./features/indicators/IndicatorsView.vue') },
        { path: 'incidents', name: 'incidents', component: () => import('./features/incidents/IncidentListView.vue') },
        { path: 'incidents/:id', name: 'incident', component: () => import('./features/incidents/IncidentDetailView.vue'), props: true },
        { path: 'warnings', name: 'warnings', component: () => import('./features/warnings/WarningListView.vue') },
        { path: 'warnings/new', name: 'warning-new', component: () => import('./features/warnings/WarningEditView.vue') },
        { path: 'warnings/:id/edit', name: 'warning-edit', component: () => import('./features/warnings/WarningEditView.vue'), props: true },
        { path: 'warnings/:id', name: 'warning', component: () => import('./features/warnings/WarningDetailView.vue'), props: true },
        { path: 'plans', name: 'plans', component: () => import('./features/plans/PlanListView.vue') },
        { path: 'upstream', name: 'upstream', component: () => import('./features/upstream/UpstreamAlertsView.vue') },
        { path: 'duty', name: 'duty', component: () => import('./features/duty/DutyView.vue') },
        { path: 'plans/:code', name: 'plan', component: () => import('./features/plans/PlanDetailView.vue'), props: true },
        { path: 'drills', name: 'drills', component: () => import('./features/plans/DrillListView.vue') },
        { path: 'improvements', name: 'improvements', component: () => import('./features/plans/ImprovementListView.vue') },
        { path: 'supervision/hazards', name: 'hazards', component: () => import('./features/supervision/HazardListView.vue') },
        { path: 'supervision/hazards/:id', name: 'hazard', component: () => import('./features/supervision/HazardDetailView.vue'), props: true },
        { path: 'supervision/risk-points', name: 'risk-points', component: () => import('./features/supervision/RiskPointListView.vue') },
        { path: 'display-tokens', name: 'display-tokens', component: () => import('./features/screen/DisplayTokensView.vue'), meta: { admin: true } },
        { path: 'supplies/items', name: 'supply-items', component: () => import('./features/supplies/SuppliesItemsView.vue') },
        { path: 'supplies/stock', name: 'supply-stock', component: () => import('./features/supplies/SuppliesStockView.vue') },
        { path: 'supplies/card', name: 'supply-card', component: () => import('./features/supplies/SuppliesCardView.vue') },
        { path: 'supplies/documents', name: 'supply-documents', component: () => import('./features/supplies/SuppliesDocumentsView.vue') },
        { path: 'supplies/documents/:id', name: 'supply-document', component: () => import('./features/supplies/SuppliesDocumentView.vue'), props: true },
        { path: 'supplies/requests', name: 'supply-requests', component: () => import('./features/supplies/SuppliesRequestsView.vue') },
        { path: 'supplies/requests/:id', name: 'supply-request', component: () => import('./features/supplies/SuppliesRequestView.vue'), props: true },
        { path: 'supplies/shipments', name: 'supply-shipments', component: () => import('./features/supplies/SuppliesShipmentsView.vue') },
        { path: 'supplies/shipments/:id', name: 'supply-shipment', component: () => import('./features/supplies/SuppliesShipmentView.vue'), props: true },
        { path: 'consultations', name: 'consultations', component: () => import('./features/consultations/ConsultationsView.vue') },
        { path: 'consultations/:id', name: 'consultation', component: () => import('./features/consultations/ConsultationView.vue'), props: true },
        { path: 'shelters', name: 'shelters', component: () => import('./features/shelters/SheltersView.vue') },
        { path: 'shelters/:id', name: 'shelter', component: () => import('./features/shelters/ShelterView.vue'), props: true },
        { path: 'supplies/alerts', name: 'supply-alerts', component: () => import('./features/supplies/SuppliesAlertsView.vue') },
        { path: 'monitoring/sensors', name: 'sensors', component: () => import('./features/monitoring/SensorListView.vue') },
        { path: 'monitoring/sensors/:id', name: 'sensor', component: () => import('./features/monitoring/SensorView.vue'), props: true },
        { path: 'monitoring/alarms', name: 'alarms', component: () => import('./features/monitoring/AlarmListView.vue') },
        { path: 'supervision/major-hazards', name: 'major-hazards', component: () => import('./features/supervision/MajorHazardListView.vue') },
        { path: 'supervision/inspections', name: 'inspections', component: () => import('./features/supervision/InspectionListView.vue') },
        { path: 'supervision/inspections/:id', name: 'inspection', component: () => import('./features/supervision/InspectionDetailView.vue'), props: true },
        { path: 'supervision/stats', name: 'supervision-stats', component: () => import('./features/supervision/SupervisionStatsView.vue') },
        { path: ':rest(.*)*', name: 'notfound', component: () => import('./layout/NotFoundView.vue') },
      ],
    },
  ],
})

router.beforeEach(async (to) => {
  // The wall display authenticates itself (a display token, or the session).
  if (to.meta.screen) return true
  if (!state.meChecked) await loadMe()
  if (to.meta.public) {
    if (to.name === 'login' && state.me) return { path: (to.query.redirect as string) || '/' }
    return true
  }
  if (!state.me) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  // A township reporter lands on the simple list of disasters to report on.
  if (to.name === 'home' && state.me.role === 'reporter') return { name: 'reporter' }
  if (to.meta.admin && !state.me.is_admin) return { name: 'home' }
  return true
})

setUnauthorizedHandler(() => {
  if (!state.me) return
  state.me = null
  const cur = router.currentRoute.value
  if (cur.name !== 'login') router.push({ name: 'login', query: { redirect: cur.fullPath, expired: '1' } })
})
