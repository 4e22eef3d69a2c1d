// Confirmation dialogs as questions: a question mark in the brand colour,
// "confirm" and "cancel" in the UI language — not a red error. Resolves true
// when confirmed, false when cancelled or closed. `danger` is for steps that
// destroy or cannot be undone (delete, disable): an amber warning sign.
import { markRaw } from 'vue'
import { ElMessageBox } from 'element-plus'
import { QuestionFilled } from '@element-plus/icons-vue'
import { i18n } from '../i18n'

export async function ask(message: string, opts: { title?: string; danger?: boolean; confirmText?: string } = {}): Promise<boolean> {
  const t = i18n.global.t
  try {
    await ElMessageBox.confirm(message, opts.title ?? t('common.confirmTitle'), {
      type: opts.danger ? 'warning' : 'info',
      icon: opts.danger ? undefined : markRaw(QuestionFilled),
      confirmButtonText: opts.confirmText ?? t('common.confirm'),
      cancelButtonText: t('common.cancel'),
      customClass: opts.danger ? 'yj-confirm yj-confirm-danger' : 'yj-confirm',
      autofocus: false,
    })
    return true
  } catch {
    return false
  }
}
