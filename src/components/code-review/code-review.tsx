import { FileView, type FileViewProps } from './file-view.js';
import { ReviewList } from './review-list.js';

/**
 * The code-review screen: the file with its comment threads beside the review list. `label`
 * prefixes both landmarks' names when a page shows several screens.
 */
export function CodeReview({ label, ...props }: FileViewProps) {
  return (
    <div className="kalphite" style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 2fr) minmax(200px, 1fr)', gap: 16, alignItems: 'start' }}>
      <FileView {...props} {...(label && { label: `${label}: file ${props.filePath}` })} />
      <ReviewList currentUser={props.currentUser} {...(props.now !== undefined && { now: props.now })} {...(label && { label: `${label}: reviews` })} />
    </div>
  );
}
