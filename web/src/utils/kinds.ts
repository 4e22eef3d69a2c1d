// UI-side styling per registry kind (colour on the map, icon in the menu).
import { Avatar, Reading, Van, Box, House, OfficeBuilding, WarningFilled, Monitor, Collection, UserFilled } from '@element-plus/icons-vue'
import type { Component } from 'vue'

const STYLE: Record<string, { color: string; icon: Component }> = {
  team: { color: '#d32f2f', icon: Avatar },
  expert: { color: '#7b1fa2', icon: Reading },
  equipment: { color: '#ef6c00', icon: Van },
  warehouse: { color: '#2e7d32', icon: Box },
  shelter: { color: '#0277bd', icon: House },
  enterprise: { color: '#6d4c41', icon: OfficeBuilding },
  hazard_source: { color: '#ad1457', icon: WarningFilled },
  monitoring_point: { color: '#00897b', icon: Monitor },
  settlement: { color: '#5d6d7e', icon: UserFilled },
}
const PALETTE = ['#3949ab', '#f9a825', '#546e7a', '#8d6e63', '#43a047', '#e53935']

export function kindColor(kind: string, index = 0): string {
  return STYLE[kind]?.color ?? PALETTE[index % PALETTE.length]
}
export function kindIcon(kind: string): Component {
  return STYLE[kind]?.icon ?? Collection
}
