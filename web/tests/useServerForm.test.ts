import { afterEach, describe, expect, it, vi } from 'vitest'
import { nextTick, reactive } from 'vue'

const shown: string[] = []
vi.mock('element-plus', () => ({ ElMessage: { error: (m: string) => shown.push(m) } }))

const { ApiError } = await import('../src/api')
const { i18n } = await import('../src/i18n')
const { useServerForm } = await import('../src/composables/useServerForm')

const refused = (errors: { field?: string; code?: string; params?: Record<string, unknown>; message: string }[]) =>
  new ApiError(422, { status: 422, key: 'validation', detail: '校验失败', errors })

afterEach(() => {
  shown.length = 0
  i18n.global.locale.value = 'zh-CN'
})

describe('useServerForm', () => {
  it('is submitting while the request runs and says whether it succeeded', async () => {
    const form = useServerForm()
    let release!: () => void
    const done = form.submit(() => new Promise<void>((r) => (release = r)))
    expect(form.submitting).toBe(true)
    // A second click while submitting does nothing.
    expect(await form.submit(async () => {})).toBe(false)
    release()
    expect(await done).toBe(true)
    expect(form.submitting).toBe(false)
  })

  it('puts the server field errors on their fields, joined, with items under their list', async () => {
    const form = useServerForm({ others: 'form' })
    const ok = await form.submit(
      async () => {
        throw refused([
          { field: 'title', message: '不能为空' },
          { field: 'title', message: '过长' },
          { field: 'divisions[1]', message: '不在辖区内' },
          { message: '整体错误' },
        ])
      },
      { invalid: '请检查标红的字段' },
    )
    expect(ok).toBe(false)
    expect(form.errors.title).toBe('不能为空；过长')
    expect(form.error('title')).toBe('不能为空；过长')
    expect(form.error('divisions')).toBe('不在辖区内')
    expect(form.error('people')).toBe('')
    expect(form.others).toEqual(['整体错误'])
    expect(form.summary).toBe('不能为空；过长；不在辖区内；整体错误')
    expect(shown).toEqual(['请检查标红的字段'])
  })

  it('translates coded errors into the UI language', async () => {
    i18n.global.locale.value = 'en'
    const form = useServerForm()
    await form.submit(async () => {
      throw refused([{ field: 'name', code: 'too_long', params: { max: 100 }, message: '最多 100 个字' }])
    })
    expect(form.error('name')).toBe('At most 100 characters')
  })

  it('maps server fields to the form and sends unknown ones to others', async () => {
    const form = useServerForm({ others: 'form', fieldKey: (f) => (['name', 'phone'].includes(f.replace(/^attrs\./, '')) ? f.replace(/^attrs\./, '') : null) })
    await form.submit(async () => {
      throw refused([
        { field: 'attrs.name', message: '必填' },
        { field: 'attrs.secret', message: '未知字段' },
      ])
    })
    expect(form.errors).toEqual({ name: '必填' })
    expect(form.others).toEqual(['attrs.secret: 未知字段'])
  })

  it('clears a field’s errors when it is edited, and all of them on the next submit', async () => {
    const values = reactive({ title: '', divisions: ['a'], people: 1 })
    const form = useServerForm({ model: values })
    await form.submit(async () => {
      throw refused([
        { field: 'title', message: '不能为空' },
        { field: 'divisions[0]', message: '不在辖区内' },
        { field: 'people', message: '太少' },
      ])
    })
    values.title = '演练'
    await nextTick()
    expect(form.error('title')).toBe('')
    values.divisions.push('b')
    expect(form.error('divisions')).toBe('')
    expect(form.error('people')).toBe('太少')
    form.clear('people')
    expect(form.errors).toEqual({})
    await form.submit(async () => {
      throw refused([{ field: 'people', message: '太少' }])
    })
    expect(await form.submit(async () => {})).toBe(true)
    expect(form.errors).toEqual({})
  })

  it('shows an error that is not about fields as a message, unless the page handles it', async () => {
    const form = useServerForm()
    await form.submit(async () => {
      throw new ApiError(409, { status: 409, key: 'conflict', detail: '已被他人修改' })
    })
    expect(shown).toEqual(['已被他人修改'])
    const handled = vi.fn((e: unknown) => e instanceof ApiError && e.status === 409)
    await form.submit(
      async () => {
        throw new ApiError(409, { status: 409, key: 'conflict', detail: '已被他人修改' })
      },
      { onError: handled },
    )
    expect(handled).toHaveBeenCalledOnce()
    expect(shown).toHaveLength(1)
    await form.submit(async () => {
      throw new Error('network down')
    })
    expect(shown[1]).toBe('network down')
    expect(form.errors).toEqual({})
  })
})

describe('useServerForm, the form’s own checks', () => {
  it('shows errors found before sending like the server’s, and a refusal without fields in others', async () => {
    const form = useServerForm({ others: 'form' })
    form.setErrors({ name: '必填' })
    expect(form.error('name')).toBe('必填')
    expect(form.failed).toBe(true)
    await form.submit(async () => {
      throw new ApiError(422, { status: 422, key: 'validation', detail: '不能保存' })
    })
    expect(form.errors).toEqual({})
    expect(form.others).toEqual(['不能保存'])
    expect(shown).toEqual([])
  })

  it('check() says whether the form may be sent, and tells why not', () => {
    const form = useServerForm()
    expect(form.check({}, '请检查')).toBe(true)
    expect(shown).toEqual([])
    expect(form.check({ title: '必填' }, '请检查')).toBe(false)
    expect(form.error('title')).toBe('必填')
    expect(shown).toEqual(['请检查'])
  })

  it('a form that shows no alert tells the errors without a field of its own as a message', async () => {
    const form = useServerForm({ fieldKey: (f) => (f === 'name' ? f : null) })
    await form.submit(
      async () => {
        throw refused([{ field: 'version', message: '版本不对' }, { message: '不能保存' }])
      },
      { invalid: '请检查标红的字段' },
    )
    expect(shown).toEqual(['version: 版本不对；不能保存'])
  })
})

describe('messageOf', () => {
  it('tells a refusal by its field messages, else by its detail or message', async () => {
    const { messageOf } = await import('../src/composables/useServerForm')
    expect(messageOf(refused([{ field: 'a', message: '甲' }, { message: '乙' }]))).toBe('甲；乙')
    expect(messageOf(new ApiError(409, { status: 409, detail: '冲突' }))).toBe('冲突')
    expect(messageOf(new Error('断网'))).toBe('断网')
  })
})
