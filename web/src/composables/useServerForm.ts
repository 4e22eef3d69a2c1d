// A form that posts to the server and shows the server's field errors.
//
// The server answers a refused write with problem JSON whose `errors[]` are
// `{ field, code, params, message }`; `ApiError` carries them. This keeps,
// per form: `submitting` (while the request runs), `errors` (message per
// field, translated through `localizeError`: `fieldError.<code>` in the UI
// language, the server's Chinese message where no translation exists), and
// `others` (errors that name no field the form shows, and the detail of a
// refusal without field errors: shown as a message unless the form shows
// them, `others: 'form'`). Editing a field of
// `model` clears that field's errors (and its items': `divisions[0]`,
// `levels.2.name`). Errors that are not field errors are shown as a message.
//
//   const form = useServerForm({ model: values })
//   <el-form-item :error="form.error('title')">…
//   <el-button :loading="form.submitting" @click="form.submit(() => api.save(values))">
import { ElMessage } from 'element-plus'
import { computed, reactive, watch } from 'vue'
import { ApiError } from '../api'
import type { ProblemError } from '../api/types'
import { i18n } from '../i18n'
import { errorsByField, localizeError } from '../utils/fieldErrors'

/**
 * An `onError` for a form on a versioned record: a stale version (409 with
 * no refusal code) says so and is handled; anything else is left to the form.
 */
export function versionConflict(e: unknown): boolean {
  if (e instanceof ApiError && e.status === 409 && !e.code) {
    ElMessage.error(i18n.global.t('common.conflict'))
    return true
  }
  return false
}

export interface ServerFormOptions {
  /** The form's values (reactive): editing one clears its field's errors. */
  model?: object | (() => object)
  /**
   * The form's key for a server field (`attrs.name` → `name`); null when the
   * form shows no such field, so the error goes to `others`. Default: as is.
   */
  fieldKey?: (field: string) => string | null
  /**
   * Where errors that name no field of the form go: 'form' when the form
   * shows `others` (an alert above it), else (the default) a message.
   */
  others?: 'form' | 'message'
}

export interface SubmitOptions {
  /** Shown as a message when the server refused fields (e.g. "fix the fields in red"). */
  invalid?: string
  /** Handle an error first (a 409 conflict, say); return true when handled. */
  onError?: (e: unknown) => boolean | void
}

/** `field` itself or one of its items/members (`field[0]`, `field.x`). */
export function isWithin(key: string, field: string): boolean {
  return key === field || key.startsWith(`${field}[`) || key.startsWith(`${field}.`)
}

/** An error in one line: a refusal's field messages joined, else its detail or message. */
export function messageOf(e: unknown): string {
  if (e instanceof ApiError) return e.errors.map((x) => x.message).join('；') || e.detail || e.message || i18n.global.t('common.error')
  return (e as Error)?.message || i18n.global.t('common.error')
}

export function useServerForm(opts: ServerFormOptions = {}) {
  const keyOf = opts.fieldKey ?? ((f: string) => f)
  const state = reactive({
    submitting: false,
    /** The server's field errors as received. */
    list: [] as ProblemError[],
  })
  const split = computed(() => {
    const byField: ProblemError[] = []
    const others: string[] = []
    for (const raw of state.list) {
      const e = localizeError(raw)
      const k = e.field ? keyOf(e.field) : null
      if (k !== null && k !== '') byField.push({ ...e, field: k })
      else others.push(e.field ? `${e.field}: ${e.message}` : e.message)
    }
    return { errors: errorsByField(byField), others }
  })

  /** Drop the errors of `field` (and its items), or all of them. */
  function clear(field?: string) {
    state.list =
      field === undefined ? [] : state.list.filter((e) => !(e.field && isWithin(keyOf(e.field) ?? e.field, field)))
  }
  /** Show errors found before sending (the form's own checks) or received. */
  function setErrors(errors: ProblemError[] | Record<string, string>) {
    state.list = Array.isArray(errors) ? [...errors] : Object.entries(errors).map(([field, message]) => ({ field, message }))
  }
  /**
   * The form's own checks before sending: show `own` (field → message) and
   * say whether the form may be sent; `message` is shown when it may not.
   */
  function check(own: Record<string, string>, message?: string): boolean {
    setErrors(own)
    if (!Object.keys(own).length) return true
    if (message) ElMessage.error(message)
    return false
  }
  /** Some error is shown. */
  const failed = computed(() => state.list.length > 0)
  /** Every message, for a form that shows them in one line. */
  const summary = computed(() => [...Object.values(split.value.errors), ...split.value.others].join('；'))
  /** The message(s) for `field` and its items, joined; '' when none. */
  function error(field: string): string {
    return Object.entries(split.value.errors)
      .filter(([k]) => isWithin(k, field))
      .map(([, m]) => m)
      .join('；')
  }

  /**
   * Run `action` (the request and what follows a success). Resolves true when
   * it succeeded; on a refusal with field errors they are shown on the form,
   * any other error as a message.
   */
  async function submit(action: () => Promise<unknown>, o: SubmitOptions = {}): Promise<boolean> {
    if (state.submitting) return false
    state.submitting = true
    clear()
    try {
      await action()
      return true
    } catch (e) {
      if (o.onError?.(e)) return false
      if (e instanceof ApiError && (e.errors.length || e.status === 422)) {
        setErrors(e.errors.length ? e.errors : [{ message: e.detail }])
        const { errors, others } = split.value
        if (opts.others !== 'form' && others.length) ElMessage.error(others.join('；'))
        if (o.invalid && (Object.keys(errors).length || opts.others === 'form')) ElMessage.error(o.invalid)
      } else {
        ElMessage.error(messageOf(e))
      }
      return false
    } finally {
      state.submitting = false
    }
  }

  if (opts.model) {
    const model = opts.model
    const read = () => (typeof model === 'function' ? model() : model) as Record<string, unknown>
    const snapshot = () => Object.fromEntries(Object.entries(read()).map(([k, v]) => [k, JSON.stringify(v)]))
    let before = snapshot()
    watch(
      read,
      () => {
        const now = snapshot()
        for (const k of new Set([...Object.keys(before), ...Object.keys(now)])) if (before[k] !== now[k]) clear(k)
        before = now
      },
      { deep: true, flush: 'sync' },
    )
  }

  return reactive({
    submitting: computed(() => state.submitting),
    errors: computed(() => split.value.errors),
    others: computed(() => split.value.others),
    failed,
    summary,
    clear,
    setErrors,
    check,
    error,
    submit,
  })
}
