import { createApp } from 'vue'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import 'leaflet/dist/leaflet.css'
import './styles.css'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'

document.documentElement.lang = i18n.global.locale.value

createApp(App).use(i18n).use(router).use(ElementPlus).mount('#app')
