import { createRouter, createWebHistory } from 'vue-router'
import { state, loadMe } from './store'
import { setUnauthorizedHandler } from './api'

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
    // Phone-friendly pages (no side menu): the township reporter's list and report form.
    { path: '/reporter', name: 'reporter', component: () => import('./views/ReporterHomeView.vue') },
    { path: '/report/:disasterId', name: 'report', component: () => import('./views/ReportPhoneView.vue'), props: true },
    {
      path: '/',
      component: () => import('./views/AppLayout.vue'),
      children: [
        { path: '', name: 'home', component: () => import('./views/HomeView.vue') },
        { path: 'registry/:kind', name: 'registry', component: () => import('./views/RegistryView.vue'), props: true },
        { path: 'map', name: 'map', component: () => import('./views/MapView.vue') },
        { path: 'coverage', name: 'coverage', component: () => import('./views/CoverageView.vue') },
        { path: 'journal', name: 'journal', component: () => import('./views/JournalView.vue') },
        { path: 'users', name: 'users', component: () => import('./views/UsersView.vue'), meta: { admin: true } },
        { path: 'disasters', name: 'disasters', component: () => import('./views/DisasterListView.vue') },
        { path: 'disasters/:id', name: 'disaster', component: () => import('./views/DisasterDetailView.vue'), props: true },
        { path: 'accidents', name: 'accidents', component: () => import('./views/AccidentListView.vue') },
        { path: 'accidents/:id', name: 'accident', component: () => import('./views/AccidentDetailView.vue'), props: true },
        { path: 'overdue', name: 'overdue', component: () => import('./views/OverdueView.vue') },
        { path: 'indicators', name: 'indicators', component: () => import('./views/IndicatorsView.vue') },
        { path: 'incidents', name: 'incidents', component: () => import('./views/IncidentListView.vue') },
        { path: 'incidents/:id', name: 'incident', component: () => import('./views/IncidentDetailView.vue'), props: true },
        { path: 'warnings', name: 'warnings', component: () => import('./views/WarningListView.vue') },
        { path: 'warnings/new', name: 'warning-new', component: () => import('./views/WarningEditView.vue') },
        { path: 'warnings/:id/edit', name: 'warning-edit', component: () => import('./views/WarningEditView.vue'), props: true },
        { path: 'warnings/:id', name: 'warning', component: () => import('./views/WarningDetailView.vue'), props: true },
        { path: 'plans', name: 'plans', component: () => import('./views/PlanListView.vue') },
        { path: 'upstream', name: 'upstream', component: () => import('./views/UpstreamAlertsView.vue') },
        { path: 'duty', name: 'duty', component: () => import('./views/DutyView.vue') },
        { path: 'plans/:code', name: 'plan', component: () => import('./views/PlanDetailView.vue'), props: true },
        { path: 'drills', name: 'drills', component: () => import('./views/DrillListView.vue') },
        { path: 'improvements', name: 'improvements', component: () => import('./views/ImprovementListView.vue') },
        { path: ':rest(.*)*', name: 'notfound', component: () => import('./views/NotFoundView.vue') },
      ],
    },
  ],
})

router.beforeEach(async (to) => {
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
