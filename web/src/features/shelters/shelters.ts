// 避难场所启用 (shelters in operation): the API of the shelters' openings
// and households. What a user may do is the server's answer (`writes`).
import { API, request } from '../../api'
import type { components } from '../../api/schema'

type S = components['schemas']
export type ShelterView = S['ShelterView']
export type ShelterDetail = S['ShelterDetail']
export type NewShelterHousehold = S['NewShelterHousehold']

const enc = (id: number | string) => encodeURIComponent(String(id))

export const sheltersApi = {
  list: () => request<ShelterView[]>('GET', `${API}/shelters`),
  get: (id: number | string) => request<ShelterDetail>('GET', `${API}/shelters/${enc(id)}`),
  open: (id: number, note = '') => request<ShelterDetail>('POST', `${API}/shelters/${enc(id)}/open`, { note }),
  close: (id: number, version: number) => request<ShelterDetail>('POST', `${API}/shelters/${enc(id)}/close`, { version }),
  checkIn: (id: number, b: NewShelterHousehold) => request<ShelterDetail>('POST', `${API}/shelters/${enc(id)}/households`, b),
  checkOut: (hid: number, version: number) =>
    request<ShelterDetail>('POST', `${API}/shelters/households/${enc(hid)}/out`, { version }),
}

/** m² per person, one decimal. */
export const perPerson = (v: number | null | undefined) => (v == null ? '—' : `${v.toFixed(1)} m²`)
