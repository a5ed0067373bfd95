import { LIMITS, ZCreateChannelInput } from '@hubbub/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type Ref, useImperativeHandle, useRef, useState } from 'react';
import { errorCode, errorMessage, type FieldErrors, fieldErrors } from '../../lib/errors';
import { channelHref, navigate } from '../../lib/router';
import { validate } from '../../lib/validation';
import { useTRPC } from '../../trpc';
import { Field } from '../../ui/field';
import { channelsKey } from './query-keys';

export interface NewChannelDialogHandle {
  open(): void;
}

const EMPTY = { name: '', slug: '', topic: '', visibility: 'public' as 'public' | 'private' };

/** "cool Stuff!" → "cool-stuff": a slug suggestion while the slug field is untouched. */
function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, LIMITS.slug.max);
}

/** A modal <dialog>: focus is trapped and Escape closes it, for free. */
export function NewChannelDialog({ ref }: { ref: Ref<NewChannelDialogHandle> }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const [values, setValues] = useState(EMPTY);
  const [slugEdited, setSlugEdited] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const create = useMutation(trpc.channel.create.mutationOptions({ meta: { inlineErrors: true } }));

  useImperativeHandle(ref, () => ({
    open() {
      setValues(EMPTY);
      setSlugEdited(false);
      setErrors({});
      create.reset();
      dialog.current?.showModal();
    },
  }));

  const close = () => dialog.current?.close();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const checked = validate(ZCreateChannelInput, {
      slug: values.slug,
      name: values.name,
      topic: values.topic.trim() || undefined,
      visibility: values.visibility,
    });
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    try {
      const channel = await create.mutateAsync(checked.data);
      await queryClient.invalidateQueries({ queryKey: channelsKey });
      close();
      navigate(channelHref(channel.slug));
    } catch (error) {
      // A taken slug is a CONFLICT, not a zod error: show it under the slug anyway.
      setErrors(errorCode(error) === 'CONFLICT' ? { slug: errorMessage(error) } : fieldErrors(error));
    }
  };

  const serverError =
    create.error && errorCode(create.error) !== 'CONFLICT' && !Object.values(fieldErrors(create.error)).some(Boolean);

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="new-channel-title">
      <form onSubmit={submit} noValidate data-testid="new-channel-form">
        <h2 id="new-channel-title">New channel</h2>
        <Field
          label="Name"
          name="name"
          value={values.name}
          maxLength={LIMITS.channelName}
          onChange={(e) => {
            const name = e.target.value;
            setValues((v) => ({ ...v, name, slug: slugEdited ? v.slug : slugify(name) }));
          }}
          error={errors.name}
          placeholder="Design reviews"
          autoFocus
          data-testid="new-channel-name"
        />
        <Field
          label="Slug"
          name="slug"
          value={values.slug}
          maxLength={LIMITS.slug.max}
          onChange={(e) => {
            setSlugEdited(true);
            setValues((v) => ({ ...v, slug: e.target.value }));
          }}
          error={errors.slug}
          hint="Lowercase letters, digits and dashes; it appears as #slug."
          spellCheck={false}
          data-testid="new-channel-slug"
        />
        <Field
          label="Topic (optional)"
          name="topic"
          value={values.topic}
          maxLength={LIMITS.topic}
          onChange={(e) => setValues((v) => ({ ...v, topic: e.target.value }))}
          error={errors.topic}
          placeholder="What is this channel about?"
        />
        <fieldset className="radio-group">
          <legend>Who can see it</legend>
          <label>
            <input
              type="radio"
              name="visibility"
              checked={values.visibility === 'public'}
              onChange={() => setValues((v) => ({ ...v, visibility: 'public' }))}
            />
            <span>
              <strong>Public</strong> — anyone can find and join it
            </span>
          </label>
          <label>
            <input
              type="radio"
              name="visibility"
              checked={values.visibility === 'private'}
              onChange={() => setValues((v) => ({ ...v, visibility: 'private' }))}
            />
            <span>
              <strong>Private</strong> — only members can see it
            </span>
          </label>
        </fieldset>
        {serverError && (
          <p className="form-error" role="alert">
            {errorMessage(create.error)}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create channel'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
