export interface Division {
  code: string
  name: string
  level: 'province' | 'city' | 'county' | 'township' | 'village' | string
  parent?: string | null
}

export interface Me {
  username: string
  display_name: string
  role: string
  role_label_zh: string
  role_label_en: string
  division: Division
  can_write: boolean
  is_admin: boolean
}

export interface FieldOption {
  value: string
  label_zh: string
  label_en: string
}

export type FieldType = 'text' | 'int' | 'float' | 'enum' | 'phone' | 'division' | 'lon' | 'lat' | 'list'

export interface Field {
  key: string
  label_zh: string
  label_en: string
  type: FieldType
  required: boolean
  common: boolean
  options?: FieldOption[]
  min?: number | null
  max?: number | null
}

export interface Schema {
  kind: string
  label_zh: string
  label_en: string
  fields: Field[]
  /** Not in the v1 contract: if the server ever names the field behind `category`, use it. */
  category_field?: string
}

export interface Item {
  id: number
  kind: string
  name: string
  division: string
  division_name: string
  lon: number | null
  lat: number | null
  address: string
  responsible: string
  phone: string
  duty_phone: string
  status: string
  category: string | null
  attrs: Record<string, unknown>
  version: number
  updated_at: string
}

export interface Page<T> {
  total: number
  items: T[]
}

export interface ProblemError {
  row?: number
  field?: string
  message: string
}

export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  key?: string
  errors?: ProblemError[]
}

export interface JournalEntry {
  seq: number
  at: string
  actor: string
  jurisdiction: string
  module: string
  entity: string
  entity_id: string
  kind: string
  payload: unknown
  hash: string
}

export interface MapConfig {
  tile_url: string | null
  tile_attribution: string | null
  center: [number, number]
  zoom: number
}

export interface PointFeature {
  type: 'Feature'
  geometry: { type: 'Point'; coordinates: [number, number] }
  properties: { id: number; kind: string; name: string; category: string | null; status: string; division: string; division_name?: string }
}

export interface FeatureCollection<F = unknown> {
  type: 'FeatureCollection'
  features: F[]
}
