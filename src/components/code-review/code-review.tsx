import { FileView, type FileViewProps } from './file-view.js';
import { ReviewList } from './review-list.js';

/** The code-review screen: the file with its comment threads beside the review list. */
export function CodeReview(props: FileViewProps) {
  return (
    <div className="kalphite" style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 2fr) minmax(220px, 1fr)', gap: 16, alignItems: 'start' }}>
      <FileView {...props} />
      <ReviewList currentUser={props.currentUser} {...(props.now !== undefined && { now: props.now })} />
    </div>
  );
}
