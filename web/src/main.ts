import { createApp } from 'vue'
// Element Plus is imported on demand (vite.config.ts); the services called
// from scripts (ElMessage, ElMessageBox) bring their styles here. Leaflet's
// CSS comes with the map pages (utils/basemap.ts).
import 'element-plus/theme-chalk/base.css'
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import './styles.css'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'

document.documentElement.lang = i18n.global.locale.value

createApp(App).use(i18n).use(router).mount('#app')
