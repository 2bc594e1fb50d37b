import { useSpaceId } from '../space.js';
import { SpaceGate } from '../space-gate.js';
import { FileView, type FileViewProps } from './file-view.js';
import { ReviewList } from './review-list.js';

export type CodeReviewProps = FileViewProps;

/**
 * The code-review screen: the file's change with its comment threads beside the review list, both
 * over one space (`space`, default the engine's default space), which is open while the screen is
 * mounted. A first load shows its progress; a space this user may not read shows why instead; a
 * read-only one disables every control and says why. `label` prefixes the landmarks' names when a
 * page shows several screens.
 */
export function CodeReview({ label, ...props }: CodeReviewProps) {
  const space = useSpaceId(props.space);
  return (
    <SpaceGate space={space} label={label ? `${label}: code review` : `Code review (${space})`}>
      <div className="kalphite kalphite-code-review">
        <FileView {...props} space={space} {...(label && { label: `${label}: file ${props.filePath}` })} />
        <ReviewList currentUser={props.currentUser} space={space} {...(props.now !== undefined && { now: props.now })} {...(label && { label: `${label}: reviews` })} />
      </div>
    </SpaceGate>
  );
}
