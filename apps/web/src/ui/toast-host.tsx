import { useStore } from '../lib/store';
import { dismissToast, toasts } from '../lib/toast';

export function ToastHost() {
  const list = useStore(toasts, (t) => t);
  return (
    <div className="toasts" aria-live="assertive">
      {list.map((t) => (
        <div key={t.id} className={`toast toast-${t.tone}`} role="alert" data-testid="toast">
          {t.href ? (
            <a className="toast-link" href={t.href} onClick={() => dismissToast(t.id)}>
              {t.message}
            </a>
          ) : (
            <span>{t.message}</span>
          )}
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => dismissToast(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
